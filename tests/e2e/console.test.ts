// The coordinators' console in a real browser: `npm start` as a child process on the shared DynamoDB
// Local, headless Chromium driving the built app, no mocked API. Each page is checked with axe-core and
// photographed at 360 px and 1280 px, in Chinese.
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, twilioAuthToken } from '#lib/config/core.ts';
import {
  inboundSmsParams,
  messagesFromTwiml,
  signedInboundSmsRequest,
} from '#lib/local/twilio-inbound-request.ts';
import { launchChromium, screenshot, seriousViolations } from '#tests/support/browser.ts';
import {
  freePort,
  type RunningServer,
  running,
  startServer,
  stopServer,
} from '#tests/support/local-server-process.ts';

const GRANDMOTHER = '+8613800000001';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;

/** A carer texting the running server, exactly as Twilio posts it. */
async function text(from: string, body: string): Promise<string[]> {
  const config = loadConfig({ LIANXIN_ENV: 'local', PORT: String(server.port) });
  const url = `http://localhost:${server.port}/webhooks/twilio/sms`;
  const params = inboundSmsParams({
    from,
    to: config.TWILIO_PHONE_NUMBER,
    body,
    accountSid: config.TWILIO_ACCOUNT_SID,
  });
  const request = signedInboundSmsRequest({ url, authToken: twilioAuthToken(config), params });
  const response = await fetch(url, { method: 'POST', ...request });
  expect(response.status).toBe(200);
  return messagesFromTwiml(await response.text());
}

/** axe and the two screenshots of the page as it stands. */
async function checkPage(name: string): Promise<void> {
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 640 : 800 });
    await screenshot(page, name);
  }
  await page.setViewportSize({ width: 360, height: 640 });
}

beforeAll(async () => {
  server = await startServer({
    port: await freePort(),
    tableName: `console-${randomUUID()}`,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
  });
  base = `http://localhost:${server.port}`;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN' });
  page = await context.newPage();
  // Nothing may come from another host.
  await page.route(
    (url) => url.host !== new URL(base).host,
    (route) => {
      throw new Error(`request to another host: ${route.request().url()}`);
    },
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server);
  for (const child of running) child.kill('SIGKILL');
});

describe('the coordinators console', { timeout: 90_000 }, () => {
  it('signs in locally as a demo coordinator, in Chinese', async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/sign-in`);
    await checkPage('sign-in');
    await page.getByRole('button', { name: /王老师/ }).click();
    await page.getByRole('heading', { name: /^本周/ }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  });

  it("shows this week's figures once a carer has answered", async () => {
    // 李奶奶 answers for 小明 (mood 4: very sad, an alert) and 小红.
    for (const answer of ['签到', '3', '4', '1', '1', '1', '0', '5', '1', '2', '1', '2', '0'])
      await text(GRANDMOTHER, answer);
    await page.reload();
    const figures = page.getByTestId('week-figures');
    await figures.waitFor();
    expect(await figures.textContent()).toContain('已完成签到2');
    expect(await figures.textContent()).toContain('回复率50%');
    await page.locator('.chart canvas').first().waitFor();
    await checkPage('week');
  });

  it('acknowledges the alert the answer raised, then closes it with a note', async () => {
    await page.getByRole('link', { name: '提醒' }).click();
    const card = page.getByTestId('task').filter({ hasText: '小明' });
    await card.waitFor();
    expect(await card.textContent()).toContain('心情 = 4');
    expect(await card.getByRole('link', { name: /打电话给 李奶奶/ }).getAttribute('href')).toBe(
      `tel:${GRANDMOTHER}`,
    );
    await checkPage('alerts');
    await card.getByRole('button', { name: '确认' }).click();
    await card.getByText('已确认').first().waitFor();
    await card.getByRole('button', { name: '关闭' }).click();
    await card.getByRole('alert').getByText('关闭时请写备注').waitFor();
    await card.getByLabel('备注').fill('已打电话，奶奶说小明想妈妈了');
    await card.getByRole('button', { name: '关闭' }).click();
    // Closed items leave the open list; the full list shows who closed it and why.
    await card.waitFor({ state: 'detached' });
    await page.getByLabel('全部').check();
    const closed = page.getByTestId('task').filter({ hasText: '小明' });
    await closed.getByText('想妈妈了').waitFor();
    expect(await closed.textContent()).toContain('已关闭');
  });

  it('switches to English and back', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Alerts and tasks' }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '提醒与任务' }).waitFor();
  });
});
