// Entry point: mounts the React app and registers the service worker that keeps it usable offline.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { installCliHook } from './cliHook';
import { preloadWhenIdle } from './inference/preload';
import { engine } from './pipeline/engine';
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
// Return visit: the cached models load into their workers while the page is idle (issue 16).
preloadWhenIdle(engine);
