import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage();
p.on('console', m => console.log(m.text()));
await p.goto('http://127.0.0.1:4174/');
const b64 = readFileSync(process.argv[2]).toString('base64');
await p.evaluate(async (b64) => {
  const d = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const v = document.createElement('video'); v.muted = true; v.preload = 'auto'; v.src = URL.createObjectURL(new Blob([d], {type:'video/mp4'}));
  await new Promise(r => v.addEventListener('loadeddata', r, {once:true}));
  console.log('duration', v.duration, v.readyState);
  for (const t of [0.48, 1.44, 2.4, 2.9666]) {
    const t0 = performance.now();
    v.currentTime = t;
    const ok = await Promise.race([new Promise(r => v.addEventListener('seeked', () => r('seeked'), {once:true})), new Promise(r => setTimeout(() => r('timeout'), 5000))]);
    console.log(t, ok, v.currentTime, (performance.now()-t0).toFixed(0), 'ms', v.readyState);
  }
}, b64);
await b.close();
