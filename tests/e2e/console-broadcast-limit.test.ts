import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage,
  closeConsole,
  signInAsDemoCoordinator,
  startConsole,
} from '#tests/support/console-page.ts';
import { bannerToken, type RunningServer } from '#tests/support/local-server-process.ts';

const CENTRE = 'centre-shimen';
let server: RunningServer;
let browser: Browser;
let page: Page;
let base: string;
let token: string;

async function preview(text: string) {
  const response = await fetch(`${base}/api/broadcasts/preview`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ centres: [CENTRE], texts: { 'zh-CN': text } }),
  });
  return (await response.json()) as {
    templateRefusals?: { provider: string; fits: number; chars: number }[];
  };
}

beforeAll(async () => {
  ({ server, base, browser, page } = await startConsole('console-broadcast-limit', {
    SMS_PROVIDER: 'tencent',
    SMS_FALLBACK_PROVIDER: 'none',
  }));
  token = bannerToken(server.banner, CENTRE);
}, 120_000);

afterAll(() => closeConsole(browser, server));

describe('the 群发 page with Tencent Cloud carrying +86', { timeout: 120_000, shuffle: false }, () => {
  it('shows why a too-long notice cannot go, and saves it once shortened', async () => {
    await signInAsDemoCoordinator(page, base);
    await page.getByRole('link', { name: '群发' }).click();

    const long = '本周六上午儿童之家有亲子活动。'.repeat(12);
    const expected = await preview(long);
    const refusal = expected.templateRefusals?.[0];
    expect(refusal?.provider).toBe('tencent');
    await page.getByLabel('中文内容').fill(long);
    const shown = page.getByTestId('preview-refusal');
    await shown.waitFor();
    const text = await shown.textContent();
    expect(text).toContain('腾讯云');
    expect(text).toContain(`最多能写${refusal?.fits}字，现在有${refusal?.chars}字`);
    const save = page.getByRole('button', { name: '保存草稿' });
    expect(await save.isDisabled()).toBe(true);
    await checkPage(page, 'broadcast-refused');

    const fits = long.slice(0, refusal?.fits ?? 0);
    expect((await preview(fits)).templateRefusals).toBeUndefined();
    await page.getByLabel('中文内容').fill(fits);
    await shown.waitFor({ state: 'detached' });
    expect(await save.isDisabled()).toBe(false);
  });
});
