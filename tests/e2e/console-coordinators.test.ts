import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage,
  closeConsole,
  signInAsDemoCoordinator,
  startConsole,
} from '#tests/support/console-page.ts';
import type { RunningServer } from '#tests/support/local-server-process.ts';

let server: RunningServer;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  ({ server, base, browser, page } = await startConsole('coordinators'));
}, 120_000);

afterAll(() => closeConsole(browser, server));

// One admin's session, then the invited coordinator's: each step builds on the one before.
describe('inviting a coordinator', { timeout: 90_000, shuffle: false }, () => {
  it('shows the centre admin the 协调员 page', async () => {
    await signInAsDemoCoordinator(page, base);
    await page.getByRole('link', { name: '协调员' }).click();
    await page.getByRole('heading', { name: '邀请协调员' }).waitFor();
    // The demo admin is listed, as an admin of the demo centre.
    const cards = page.getByTestId('coordinators').locator('li');
    await expect.poll(() => cards.count()).toBe(1);
    expect(await cards.first().textContent()).toContain('管理员');
    await checkPage(page, 'coordinators');
  });

  it('invites by a mobile number as typed, and only once', async () => {
    const invite = async (phone: string) => {
      await page.getByLabel('姓名').fill('赵老师');
      await page.getByLabel('手机号').fill(phone);
      await page.getByRole('button', { name: '发送邀请' }).click();
    };
    await invite('１３８ ００１３ ８０００');
    await page.getByRole('status').filter({ hasText: '已邀请 赵老师' }).waitFor();
    const cards = page.getByTestId('coordinators').locator('li');
    await expect.poll(() => cards.count()).toBe(2);
    const zhao = cards.filter({ hasText: '赵老师' });
    expect(await zhao.textContent()).toContain('+8613800138000');
    expect(await zhao.textContent()).toContain('已邀请，未登录');
    await invite('+86 138 0013 8000');
    await page.getByRole('status').filter({ hasText: '已有账号' }).waitFor();
    await expect.poll(() => cards.count()).toBe(2);
    await checkPage(page, 'coordinators-invited');
  });

  it('says what is missing when there is neither e-mail nor phone', async () => {
    await page.getByLabel('姓名').fill('钱老师');
    await page.getByRole('button', { name: '发送邀请' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('email');
  });

  it('lets the invited coordinator sign in, without the admin page', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL(`${base}/sign-in`);
    await page.getByRole('button', { name: /赵老师/ }).click();
    await page.getByRole('heading', { name: /^本周/ }).waitFor();
    expect(await page.getByRole('link', { name: '协调员' }).count()).toBe(0);
    // The API refuses a coordinator who is not an admin, whatever the page shows.
    const token = await page.evaluate<string>(
      "JSON.parse(sessionStorage.getItem('lianxin.session') ?? '{}').token",
    );
    const listed = await fetch(`${base}/api/coordinators`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(403);
  });
});
