// The bench's guard against other origins: Chromium's resolver refuses every host but this
// machine's (OTHER_HOSTS_UNREACHABLE), so no Playwright route is needed and the HTTP cache stays on.
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { lookup } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.mjs';

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('<title>here</title>'));
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('bench browser', () => {
  it('reaches the app on 127.0.0.1 and localhost, and no other host, even one that resolves to this machine', async () => {
    const other = hostname();
    const resolvesHere = other !== 'localhost' && (await lookup(other).then((a) => a.address.startsWith('127.'), () => false));
    const chrome = await launchChromium();
    try {
      const page = await chrome.browser.newPage();
      for (const host of ['127.0.0.1', 'localhost']) {
        await page.goto(`http://${host}:${port}/`);
        expect(await page.title()).toBe('here');
      }
      if (resolvesHere) {   // without the resolver rule this host would load the same page
        await expect(page.goto(`http://${other}:${port}/`)).rejects.toThrow(/ERR_NAME_NOT_RESOLVED/);
      }
    } finally {
      await chrome.close();
    }
  }, 60_000);
});
