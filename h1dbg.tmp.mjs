import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run','--disable-quic', ...(process.env.GPU?['--enable-unsafe-webgpu']:[])] });
const p = await b.newPage();
const t0 = Date.now();
p.on('console', m => console.log('console', m.type(), m.text()));
p.on('request', r => console.log(((Date.now()-t0)/1000).toFixed(1), 'req', r.url()));
await p.goto('http://127.0.0.1:4174/' + (process.env.Q ?? ''));
const bytes = readFileSync(process.argv[2] ?? '/work/main/e2e/.generated/dev-clip-4s.mp4').toString('base64');
await p.fill('[data-testid=transcript]', 'I am so happy to see you again.'); await p.evaluate(async (b64) => { const d = Uint8Array.from(atob(b64), c => c.charCodeAt(0)); const dt = new DataTransfer(); dt.items.add(new File([d], 'x.mp4', {type:'video/mp4'}));
 const z = document.querySelector('[data-testid=dropzone]'); for (const e of ['dragenter','dragover','drop']) z.dispatchEvent(new DragEvent(e,{bubbles:true,cancelable:true,dataTransfer:dt})); }, bytes);
for (let i=0;i<120;i++){ await p.waitForTimeout(1000); const st = await p.evaluate(() => [...document.querySelectorAll('[data-stage]')].map(e => e.dataset.stage+':'+e.dataset.status+':'+e.textContent.slice(0,60)).join(' ') + ' | ' + (document.querySelector('[role=alert]')?.textContent ?? '')); console.log(((Date.now()-t0)/1000).toFixed(1), st); if (await p.$('[data-testid=result]') || await p.$('[role=alert]')) break; }
await p.click('summary').catch(()=>{}); console.log(await p.evaluate(() => document.querySelector('.timings')?.textContent + ' ' + document.querySelector('[data-testid=backend]')?.textContent));
await b.close();
