import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, twilioAuthToken } from '#lib/config/core.ts';
import {
  inboundSmsParams,
  messagesFromTwiml,
  signedInboundSmsRequest,
} from '#lib/local/twilio-inbound-request.ts';
import {
  checkPage,
  closeConsole,
  startConsole,
  tickSaturdayMorning,
  typeOnPhone,
} from '#tests/support/console-page.ts';
import type { RunningServer } from '#tests/support/local-server-process.ts';

const GRANDMOTHER = '+8613800000001';

let server: RunningServer;
let browser: Browser;
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

beforeAll(async () => {
  ({ server, base, browser, page } = await startConsole('console'));
  await tickSaturdayMorning(base);
}, 120_000);

afterAll(() => closeConsole(browser, server));

// One coordinator's session in one browser, page after page: each step builds on what the one before
// did (signed in, a carer's answer, the alert it raised), so this story runs in its written order;
// the file itself still takes its shuffled place among the others.
describe('the coordinators console', { timeout: 90_000, shuffle: false }, () => {
  it('signs in locally as a demo coordinator, in Chinese', async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/sign-in`);
    await checkPage(page, 'sign-in');
    await page.getByRole('button', { name: /王老师/ }).click();
    await page.getByRole('heading', { name: /^本周/ }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  });

  it("shows this week's figures once a carer has answered", async () => {
    // 李奶奶 answers on the simulated phone for 小明 (mood 4: very sad, an alert) and 小红.
    await page.getByRole('link', { name: '模拟手机' }).click();
    await page.getByLabel('谁的手机').selectOption(GRANDMOTHER);
    for (const answer of ['签到', '3', '4', '1', '1', '1', '0', '5', '1', '2', '1', '2', '0'])
      await typeOnPhone(page, answer);
    await checkPage(page, 'phones');
    await page.getByRole('link', { name: '本周' }).click();
    const figures = page.getByTestId('week-figures');
    await figures.waitFor();
    expect(await figures.textContent()).toContain('已完成签到2');
    expect(await figures.textContent()).toContain('回复率50%');
    await page.locator('.chart canvas').first().waitFor();
    await checkPage(page, 'week');
  });

  it('acknowledges the alert the answer raised, then closes it with a note', async () => {
    await page.getByRole('link', { name: '提醒' }).click();
    const card = page.getByTestId('task').filter({ hasText: '小明' });
    await card.waitFor();
    expect(await card.textContent()).toContain('心情 = 4');
    expect(await card.getByRole('link', { name: /打电话给 李奶奶/ }).getAttribute('href')).toBe(
      `tel:${GRANDMOTHER}`,
    );
    await checkPage(page, 'alerts');
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

  it("finds a child and shows the weekly answers, the family's contacts and the parents' messages", async () => {
    await text('+8613900000001', '小明生日快乐！');
    await page.getByRole('link', { name: '儿童' }).click();
    await page.getByLabel('搜索姓名').fill('小明');
    await page.getByRole('link', { name: '小明' }).click();
    await page.getByRole('heading', { name: '小明' }).waitFor();
    await page.locator('.chart canvas').waitFor();
    const message = page.getByTestId('child-message').filter({ hasText: '生日快乐' });
    await message.waitFor();
    await checkPage(page, 'child');
    await message.getByRole('button', { name: '已读给孩子' }).click();
    await message.getByText(/已读给孩子$/).waitFor();
    await page.getByRole('link', { name: /儿童与家庭/ }).click();
    await page
      .getByTestId('family')
      .first()
      .waitFor()
      .catch(() => undefined);
    await checkPage(page, 'children');
  });

  it('imports a CSV file: the dry run shows the bad row, then only the valid rows are written', async () => {
    await page.getByRole('link', { name: '名册' }).click();
    await page.getByTestId('family').first().waitFor();
    const csv = [
      'family,child,birth_year,category,consent,contact,role,phone,language',
      '赵家,赵小兰,2016,one-away,,赵奶奶,carer,13800000077,zh-CN',
      '钱家,钱小宝,2015,both-away,,钱爷爷,carer,12345,zh-CN',
    ].join('\n');
    await page.getByLabel('或粘贴内容').fill(csv);
    await page.getByRole('button', { name: '先检查（不写入）' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    expect(await report.textContent()).toContain('1 行有效，1 行有问题');
    expect(await report.locator('tr.invalid').textContent()).toContain('钱爷爷');
    expect(await page.getByTestId('family').filter({ hasText: '赵家' }).count()).toBe(0);
    await checkPage(page, 'roster');
    await page.getByRole('button', { name: '导入 1 行有效数据' }).click();
    await page.getByTestId('family').filter({ hasText: '赵家' }).waitFor();
    expect(await page.getByTestId('family').filter({ hasText: '钱家' }).count()).toBe(0);
  });

  it('prints a WeChat link card with a QR code and the code', async () => {
    const family = page.getByTestId('family').filter({ hasText: '李家' });
    await family.getByRole('button', { name: /打印微信绑定卡 李奶奶/ }).click();
    const card = page.getByTestId('link-card');
    await card.waitFor();
    expect(await page.getByTestId('link-code').textContent()).toMatch(/^\S{4} \S{4}$/);
    expect(await card.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await checkPage(page, 'link-card');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.no-print').first().isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: /名册/ }).click();
  });

  it('composes a broadcast with a live preview, approves it, and it arrives on the phones', async () => {
    await page.getByRole('link', { name: '群发' }).click();
    await page.getByLabel('中文内容').fill('周六下午三点儿童之家包饺子，欢迎参加');
    const preview = page.getByTestId('preview');
    await preview.waitFor();
    expect(await preview.textContent()).toMatch(/\d+ 位收件人/);
    expect(await preview.textContent()).toContain('UCS-2');
    await checkPage(page, 'broadcasts');
    await page.getByRole('button', { name: '保存草稿' }).click();
    const draft = page.getByTestId('broadcast').filter({ hasText: '包饺子' });
    await draft.getByText('草稿', { exact: true }).waitFor();
    await draft.getByRole('button', { name: '批准并立即发送' }).click();
    await draft.getByTestId('report').waitFor();
    await page.getByRole('link', { name: '模拟手机' }).click();
    await page.getByLabel('谁的手机').selectOption(GRANDMOTHER);
    await page
      .getByTestId('thread')
      .getByText(/包饺子/)
      .waitFor({ timeout: 20_000 });
  });

  it('adds an activity and a pause week to the calendar', async () => {
    await page.getByRole('link', { name: '活动' }).click();
    await page.getByTestId('calendar').waitFor();
    const monday = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel(/活动名称/).fill('放风筝');
    await page.getByLabel('日期').fill(monday);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByTestId('calendar').locator('strong', { hasText: '放风筝' }).waitFor();
    await checkPage(page, 'activities');
  });

  it('switches to English and back', async () => {
    await page.getByRole('link', { name: '提醒' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Alerts and tasks' }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '提醒与任务' }).waitFor();
  });
});
