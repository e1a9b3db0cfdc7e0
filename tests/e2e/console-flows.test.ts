// The console's remaining flows in a real browser, against `npm start` on DynamoDB Local (no mocked
// API): the broadcast preview by category and channel; an activity added on the 活动 page reaching the
// parents' weekly update on the simulated phone; an alert's escalation state before and after a day
// with no one acknowledging; editing a contact while someone else changes it (both values shown, the
// coordinator chooses); editing a family under its stable code; a contact who said stop shown so, and
// not editable; a WeChat link card whose code links a WeChat user. axe-core on every state added here,
// screenshots at 360 px and 1280 px in Chinese.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage,
  closeConsole,
  nextSaturday,
  signInAsDemoCoordinator,
  startConsole,
  tickSaturdayMorning,
  typeOnPhone,
  wechatUser,
} from '#tests/support/console-page.ts';
import { bannerToken, outboxWhen, phone, type RunningServer } from '#tests/support/local-server-process.ts';

const CENTRE = 'centre-shimen';
const GRANDMOTHER = '+8613800000001';
const XIAOMING_DAD = '+8613900000001';
const ZHANG_GRANDMOTHER = '+8613800000002';
const COORDINATOR = '+8613700000001';

let server: RunningServer;
let browser: Browser;
let page: Page;
let base: string;
let token: string;
/** The Saturday the story happens on (Shanghai), and the Monday of its week. */
let saturday: string;
let monday: string;

/** The coordinators' API as a second coordinator on another phone: the concurrent writer. */
async function apiCall(path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON they assert on
  return { status: response.status, json: (await response.json()) as any };
}

async function contactNamed(name: string): Promise<{ id: string; relationship?: string; name: string }> {
  const { json } = await apiCall(`/api/contacts?centre=${CENTRE}`);
  const found = json.contacts.find((c: { name: string }) => c.name === name);
  if (!found) throw new Error(`no contact ${name}`);
  return found;
}

async function serverNow(): Promise<Date> {
  const response = await fetch(`${base}/dev/clock`);
  return new Date(((await response.json()) as { now: string }).now);
}

beforeAll(async () => {
  ({ server, base, browser, page } = await startConsole('console-flows'));
  token = bannerToken(server.banner, CENTRE);
  saturday = nextSaturday(new Date());
  const d = new Date(`${saturday}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 5);
  monday = d.toISOString().slice(0, 10);
  await tickSaturdayMorning(base, saturday);
}, 120_000);

afterAll(() => closeConsole(browser, server));

// One coordinator's session, page after page: the activity feeds the update the carer's answers set
// off, and the alert those answers raised is the one that escalates; so this story runs in its
// written order (the file still takes its shuffled place among the others).
describe('the console flows', { timeout: 120_000, shuffle: false }, () => {
  it('signs in as the demo coordinator', async () => {
    await signInAsDemoCoordinator(page, base);
  });

  it('previews a broadcast as it is typed: recipients by category and by channel, encoding, cost', async () => {
    await page.getByRole('link', { name: '群发' }).click();
    const text = '下周三下午儿童之家有剪纸活动，欢迎带孩子来';
    await page.getByLabel('中文内容').fill(text);
    const table = page.getByTestId('preview-categories');
    await table.waitFor();
    // The same composition asked of the API directly: the page shows what the API counts.
    const { json: expected } = await apiCall('/api/broadcasts/preview', {
      centres: [CENTRE],
      roles: 'everyone',
      categories: [],
      languages: [],
      texts: { 'zh-CN': text },
    });
    for (const [label, id] of [
      ['父母都外出', 'both-away'],
      ['一方外出', 'one-away'],
      ['与父母同住', 'with-parents'],
    ] as const) {
      const row = table.locator('tr').filter({ has: page.getByRole('rowheader', { name: label }) });
      expect(await row.locator('td').textContent()).toBe(String(expected.categories[id]));
    }
    expect(expected.categories['both-away']).toBeGreaterThan(0);
    const sms = expected.languages.reduce((n: number, l: { sms: number }) => n + l.sms, 0);
    const wechat = expected.languages.reduce((n: number, l: { wechat: number }) => n + l.wechat, 0);
    expect(await page.getByTestId('preview-channels').textContent()).toBe(
      `短信 ${sms} 人 · 微信 ${wechat} 人`,
    );
    const preview = page.getByTestId('preview');
    expect(await preview.textContent()).toContain(`${expected.recipients} 位收件人`);
    expect(await preview.textContent()).toContain(`共 ${expected.smsSegments} 条短信`);
    expect(await preview.textContent()).toContain('UCS-2');
    expect(await preview.textContent()).toContain(`约 ${expected.estimatedCost.amount.toFixed(2)}`);
    await checkPage(page, 'broadcast-preview');
  });

  it("adds an activity and sees it in the parents' next weekly update on the simulated phone", async () => {
    await page.getByRole('link', { name: '活动' }).click();
    await page.getByTestId('calendar').waitFor();
    await page.getByLabel(/活动名称/).fill('捏泥人');
    await page.getByLabel('日期').fill(monday);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByTestId('calendar').locator('strong', { hasText: '捏泥人' }).waitFor();

    // 李奶奶 answers this week's check-in for 小明 (very sad: an alert) and 小红.
    await page.getByRole('link', { name: '模拟手机' }).click();
    await page.getByLabel('谁的手机').selectOption(GRANDMOTHER);
    for (const answer of ['签到', '3', '4', '1', '1', '1', '0', '5', '1', '2', '1', '2', '0'])
      await typeOnPhone(page, answer);
    // The tick sends the parents' updates of the finished check-in: run it from the page.
    await page.getByRole('button', { name: '现在运行定时任务' }).click();
    await page.getByLabel('谁的手机').selectOption(XIAOMING_DAD);
    const update = page.getByTestId('thread').getByText(/小明本周/);
    await update.waitFor({ timeout: 30_000 });
    expect(await update.textContent()).toMatch(/本周活动：捏泥人/);
    await checkPage(page, 'phones-parent-update');
  });

  it("shows the alert's reference and escalation: pending, then escalated to the coordinators a day on", async () => {
    await page.getByRole('link', { name: '提醒' }).click();
    const card = page.getByTestId('task').filter({ hasText: '小明' });
    await card.waitFor();
    const ref = (await card.getByTestId('task-ref').textContent()) ?? '';
    expect(ref).toMatch(/^A\d+$/);
    expect(await card.getByTestId('escalation').textContent()).toMatch(
      /^无人确认时，.+通知全部协调员（确认后不再升级）$/,
    );
    expect(await card.getByRole('link', { name: /打电话给 李奶奶/ }).getAttribute('href')).toBe(
      `tel:${GRANDMOTHER}`,
    );
    await checkPage(page, 'alerts-escalation-pending');

    // Sunday 10:30: more than a day since 李奶奶's answer, and no one acknowledged it.
    const sunday = new Date(`${saturday}T12:00:00Z`);
    sunday.setUTCDate(sunday.getUTCDate() + 1);
    const at = `${sunday.toISOString().slice(0, 10)}T10:30+08:00`;
    expect((await fetch(`${base}/dev/tick?at=${encodeURIComponent(at)}`, { method: 'POST' })).status).toBe(
      200,
    );
    const outbox = await outboxWhen(server.port, (messages) =>
      messages.some((m) => m.body.includes(`提醒${ref}已超过24小时无人确认`)),
    );
    const told = new Set(
      outbox.filter((m) => m.body.includes(`提醒${ref}已超过24小时无人确认`)).map((m) => m.to),
    );
    expect([...told]).toContain(COORDINATOR);

    await page.getByLabel('全部').check();
    await page.getByLabel('未关闭').check();
    const escalated = page.getByTestId('task').filter({ hasText: '小明' }).getByTestId('escalation');
    await expect
      .poll(() => escalated.textContent(), { timeout: 15_000 })
      .toMatch(new RegExp(`^已于 .+ 升级通知 ${told.size} 位协调员$`));
    await checkPage(page, 'alerts-escalated');
  });

  it('edits a contact while someone else changes it: both values shown, the coordinator chooses', async () => {
    await page.getByRole('link', { name: '名册' }).click();
    const family = page.getByTestId('family').filter({ hasText: '李家' });
    await family.getByRole('button', { name: '编辑 李奶奶' }).click();
    const form = page.getByTestId('contact-edit');
    await form.waitFor();
    expect(await form.getByTestId('opt-out-state').textContent()).toContain('正常接收');
    await form.getByLabel('关系（如 奶奶）').fill('外婆');

    // Meanwhile another coordinator renames her and sets another relationship.
    const before = await contactNamed('李奶奶');
    const other = await apiCall(`/api/contacts/${encodeURIComponent(before.id)}`, {
      name: '李奶奶（村东）',
      relationship: '祖母',
    });
    expect(other.status).toBe(200);

    await form.getByRole('button', { name: '保存' }).click();
    const conflict = form.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.getByTestId('conflict-relationship-mine').textContent()).toBe('外婆');
    expect(await conflict.getByTestId('conflict-relationship-stored').textContent()).toBe('祖母');
    expect(await conflict.getByTestId('conflict-name-mine').textContent()).toBe('李奶奶');
    expect(await conflict.getByTestId('conflict-name-stored').textContent()).toBe('李奶奶（村东）');
    // What she changed defaults to hers; what she did not touch, to what is stored now.
    const choice = (field: string, side: number) =>
      conflict.getByTestId(`conflict-${field}`).getByRole('radio').nth(side).isChecked();
    expect(await choice('relationship', 0)).toBe(true);
    expect(await choice('name', 1)).toBe(true);
    await checkPage(page, 'roster-conflict');
    await conflict.getByRole('button', { name: '保存所选' }).click();
    await form.waitFor({ state: 'detached' });
    const after = await apiCall(`/api/contacts/${encodeURIComponent(before.id)}`);
    expect(after.json).toMatchObject({ name: '李奶奶（村东）', relationship: '外婆', optedOut: false });
  });

  it('shows an opted-out contact as such, read only, and keeps the opt-out through an edit', async () => {
    await phone(server.port, ZHANG_GRANDMOTHER)('TD');
    await page.reload();
    const family = page.getByTestId('family').filter({ hasText: '张家' });
    await family.getByText(/张奶奶.*已退订/).waitFor();
    await family.getByRole('button', { name: '编辑 张奶奶' }).click();
    const form = page.getByTestId('contact-edit');
    expect(await form.getByTestId('opt-out-state').textContent()).toMatch(
      /已退订.*只有本人回复「恢复」才能重新接收/,
    );
    // Nothing in the form can change it.
    expect(await form.getByRole('checkbox').count()).toBe(0);
    await checkPage(page, 'roster-contact-opted-out');
    await form.getByLabel('关系（如 奶奶）').fill('奶奶');
    await form.getByRole('button', { name: '保存' }).click();
    await form.waitFor({ state: 'detached' });
    expect(await contactNamed('张奶奶')).toMatchObject({ relationship: '奶奶', optedOut: true });
  });

  it('edits a family under its code, which stays the same', async () => {
    const cards = page.getByTestId('family');
    const codes = await cards.getByTestId('family-code').allTextContents();
    for (const code of codes) expect(code).toMatch(/^J[2-9A-HJ-NP-Z]{4,6}$/);
    expect(new Set(codes).size).toBe(codes.length);
    const family = cards.filter({ hasText: '张家' });
    const code = await family.getByTestId('family-code').textContent();
    await family.getByRole('button', { name: '编辑 张家' }).click();
    const form = page.getByTestId('family-edit');
    await form.getByRole('button', { name: '+ 孩子姓名' }).click();
    await form.getByLabel('孩子姓名').last().fill('张小花');
    await form.getByLabel('出生年份').last().fill('2019');
    await form.getByLabel('类别').last().selectOption('one-away');
    await checkPage(page, 'roster-family-edit');
    await form.getByRole('button', { name: '保存' }).click();
    const edited = page.getByTestId('family').filter({ hasText: '张小花' });
    await edited.waitFor();
    // 张伟 is still there (the form never leaves a child out), and the code did not move.
    expect(await edited.textContent()).toContain('张伟');
    expect(await edited.getByTestId('family-code').textContent()).toBe(code);
    await page.getByLabel('按编号或姓名查找').fill(code ?? '');
    expect(await page.getByTestId('family').count()).toBe(1);
    await page.getByLabel('按编号或姓名查找').fill('');
  });

  it("prints a link card and a WeChat user links with the card's code", async () => {
    const family = page.getByTestId('family').filter({ hasText: '李家' });
    await family.getByRole('button', { name: /打印微信绑定卡 小明妈妈/ }).click();
    await page.getByTestId('link-card').waitFor();
    const printed = (await page.getByTestId('link-code').textContent()) ?? '';
    expect(printed).toMatch(/^\d{4} \d{4}$/);
    await checkPage(page, 'link-card-parent');

    // The mother scans the card in WeChat and sends the code, as written on it (the space too).
    const openId = () => `oFLOW${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const reply = await wechatUser(server.port, openId())(printed, await serverNow());
    expect(reply).toMatch(/绑定成功！小明妈妈您好/);
    // The card's code is used up: another WeChat user sending it links no one.
    const again = await wechatUser(server.port, openId())(printed, await serverNow());
    expect(again ?? '').not.toMatch(/绑定成功/);

    await page.getByRole('button', { name: /名册/ }).click();
    await page
      .getByTestId('family')
      .filter({ hasText: '李家' })
      .getByTestId('family-contact')
      .filter({ hasText: '小明妈妈' })
      .getByText(/已绑定微信/)
      .waitFor();
  });
});
