// What the console's browser tests do: start the local server with the console open on a
// phone-sized page that may reach the server only; axe and the two screenshots; typing on the
// simulated phone; the week's Saturday; and a WeChat user posting to the running server exactly as
// WeChat's servers do.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { loadConfig } from '#lib/config/core.ts';
import { wechatInboundSettings } from '#lib/config/wechat.ts';
import {
  readPassiveReply,
  signedWechatPost,
  textMessageXml,
  type WechatKeys,
} from '#lib/local/wechat-inbound-request.ts';
import { launchChromium, screenshot, seriousViolations } from '#tests/support/browser.ts';
import {
  freePort,
  type RunningServer,
  running,
  startServer,
  stopServer,
} from '#tests/support/local-server-process.ts';

/** axe-core (0 serious or critical) and the screenshots at 360 px and 1280 px of the page as it stands. */
export async function checkPage(page: Page, name: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(
    violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`),
    `axe on ${name}`,
  ).toEqual([]);
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 640 : 800 });
    await screenshot(page, name);
  }
  await page.setViewportSize({ width: 360, height: 640 });
}

/** Types a text as the phone chosen on the 模拟手机 page and waits for lianxin's reply. */
export async function typeOnPhone(page: Page, body: string): Promise<void> {
  const thread = page.getByTestId('thread').locator('li');
  const before = await thread.count();
  await page.getByLabel(/的身份输入短信/).fill(body);
  await page.getByRole('button', { name: '发送' }).click();
  await expect.poll(() => thread.count(), { timeout: 15_000 }).toBeGreaterThan(before + 1);
}

/** The next Saturday after `now`, in Shanghai: its date (YYYY-MM-DD). */
export function nextSaturday(now: Date): string {
  const local = new Date(now.getTime() + 8 * 3_600_000);
  local.setUTCDate(local.getUTCDate() + ((6 - local.getUTCDay() + 7) % 7 || 7));
  return local.toISOString().slice(0, 10);
}

/** A WeChat user of the running server: each text a signed (safe-mode) POST; the passive reply back. */
export function wechatUser(port: number, openId: string) {
  const config = loadConfig({ LIANXIN_ENV: 'local', PORT: String(port) });
  const settings = wechatInboundSettings(config);
  const keys: WechatKeys = {
    token: settings.token,
    appId: settings.appId,
    encodingAesKey: settings.encodingAesKey,
  };
  return async (content: string, at: Date): Promise<string | undefined> => {
    const post = signedWechatPost(
      `${config.PUBLIC_URL}/webhooks/wechat`,
      keys,
      textMessageXml({ openId, content, at }),
      openId,
    );
    const url = new URL(post.url);
    const response = await fetch(`http://localhost:${port}${url.pathname}${url.search}`, {
      method: 'POST',
      headers: post.headers,
      body: post.body,
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`WeChat POST got HTTP ${response.status}: ${body}`);
    return readPassiveReply(body, keys);
  };
}

/**
 * The local server on a free port and a table of its own (named after the test file's `name`), with
 * the console open on it in the browser.
 */
export async function startConsole(
  name: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ server: RunningServer; base: string; browser: Browser; page: Page }> {
  const server = await startServer({
    port: await freePort(),
    tableName: `${name}-${randomUUID()}`,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    ...(env ? { env } : {}),
  });
  const base = `http://localhost:${server.port}`;
  return { server, base, ...(await openConsole(base)) };
}

/** Saturday 10:00 in Shanghai on the server's tick: the week's invitations go out, and nothing waits for quiet hours. */
export async function tickSaturdayMorning(base: string, saturday = nextSaturday(new Date())): Promise<void> {
  const response = await fetch(`${base}/dev/tick?at=${encodeURIComponent(`${saturday}T10:00+08:00`)}`, {
    method: 'POST',
  });
  expect(response.status).toBe(200);
}

/** Headless Chromium on a 360×640 screen in Chinese, whose page may reach the server at `base` only. */
export async function openConsole(base: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN' });
  const page = await context.newPage();
  // Nothing may come from another host.
  await page.route(
    (url) => url.host !== new URL(base).host,
    (route) => {
      throw new Error(`request to another host: ${route.request().url()}`);
    },
  );
  return { browser, page };
}

/** The browser and the server closed, and anything the server left running killed. */
export async function closeConsole(browser: Browser | undefined, server: RunningServer | undefined) {
  await browser?.close();
  if (server) await stopServer(server);
  for (const child of running) child.kill('SIGKILL');
}

/** Signs in on the local sign-in page as the demo coordinator 王老师; this week's page is then shown. */
export async function signInAsDemoCoordinator(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.waitForURL(`${base}/sign-in`);
  await page.getByRole('button', { name: /王老师/ }).click();
  await page.getByRole('heading', { name: /^本周/ }).waitFor();
}
