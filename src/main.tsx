// Entry point: mounts the React app and registers the service worker that keeps it usable offline.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { installCliHook } from './cliHook';
import { registerServiceWorker } from './sw/register';
import { UpdateNotice } from './sw/UpdateNotice';
import './styles.css';

installCliHook();
registerServiceWorker();

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <UpdateNotice />
    <App />
  </StrictMode>,
);
