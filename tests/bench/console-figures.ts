// The coordinators' console on a slow phone: the first load's JavaScript and CSS (gzip, as CloudFront
// serves them), and the time until this week's figures are on screen in Chromium with a 4× slower CPU
// and a 1.6 Mbit/s, 150 ms network (DevTools protocol emulation), from a cold cache.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import type { Figure } from '#tests/bench/figures.ts';
import { launchChromium } from '#tests/support/browser.ts';
import { freePort, startServer, stopServer } from '#tests/support/local-server-process.ts';

const web = fileURLToPath(new URL('../../web/', import.meta.url));
const dist = join(web, 'dist');

/** Every file index.html loads before the app runs (scripts, module preloads, stylesheets). */
async function firstLoad(): Promise<{ js: number; css: number }> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
  let js = 0;
  let css = 0;
  for (const ref of new Set(refs)) {
    const gz = gzipSync(await readFile(join(dist, ref))).length;
    if (ref.endsWith('.js')) js += gz;
    else if (ref.endsWith('.css')) css += gz;
  }
  return { js, css };
}

async function timeToFigures(runs: number): Promise<number[]> {
  const server = await startServer({
    port: await freePort(),
    tableName: 'bench-console',
    readyWithinMs: 120_000,
  });
  const base = `http://localhost:${server.port}`;
  const browser = await launchChromium();
  try {
    const signIn = await fetch(`${base}/dev/sign-in?contact=contact-wang-laoshi`, { method: 'POST' });
    const session = { ...((await signIn.json()) as object), local: true };
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN' });
      await context.addInitScript({
        content: `sessionStorage.setItem('lianxin.session', ${JSON.stringify(JSON.stringify(session))})`,
      });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 150,
        downloadThroughput: (1.6 * 1024 * 1024) / 8,
        uploadThroughput: (750 * 1024) / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      const started = performance.now();
      await page.goto(`${base}/`, { waitUntil: 'commit' });
      await page.getByTestId('week-figures').waitFor({ timeout: 60_000 });
      times.push(performance.now() - started);
      await context.close();
    }
    return times;
  } finally {
    await browser.close();
    await stopServer(server);
  }
}

export async function consoleFigures(): Promise<Figure[]> {
  await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
  const { js, css } = await firstLoad();
  const times = (await timeToFigures(5)).sort((a, b) => a - b);
  return [
    { name: 'console first-load JS (gzip)', value: js / 1024, unit: 'KB', target: '≤ 200 KB with CSS' },
    { name: 'console first-load CSS (gzip)', value: css / 1024, unit: 'KB', target: '≤ 200 KB with JS' },
    {
      name: 'console figures visible, 4× CPU, 1.6 Mbit/s 150 ms (median of 5)',
      value: times[Math.floor(times.length / 2)] ?? 0,
      unit: 'ms',
      target: '≤ 3000 ms',
    },
  ];
}
