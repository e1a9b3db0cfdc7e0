import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage,
  closeConsole,
  signInAsDemoCoordinator,
  startConsole,
} from '#tests/support/console-page.ts';
import { bannerToken, phone, type RunningServer } from '#tests/support/local-server-process.ts';

const CENTRE = 'centre-shimen';
const BOM = [0xef, 0xbb, 0xbf];

let server: RunningServer;
let browser: Browser;
let page: Page;
let base: string;
let token: string;

async function apiGet(path: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

/** Clicks the download button and returns the saved file's bytes and name. */
async function downloadFromPage(): Promise<{ bytes: Buffer; name: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '下载 CSV' }).click(),
  ]);
  const path = await download.path();
  return { bytes: await readFile(path), name: download.suggestedFilename() };
}

beforeAll(async () => {
  // Downloads are accepted: Playwright's default for a new context.
  ({ server, base, browser, page } = await startConsole('console-export'));
  token = bannerToken(server.banner, CENTRE);
}, 120_000);

afterAll(() => closeConsole(browser, server));

// One coordinator's session, page after page; the erasure runs on the roster the import then reads.
describe('the console export page', { timeout: 120_000, shuffle: false }, () => {
  it('signs in as the demo coordinator and opens 导出', async () => {
    await signInAsDemoCoordinator(page, base);
    await page.getByRole('link', { name: '导出' }).click();
    await page.getByRole('heading', { name: '导出与删除' }).waitFor();
    await page.getByText('还没有删除任务').waitFor();
    await checkPage(page, 'exports');
  });

  it('downloads the CSV as the API writes it: BOM, Chinese headers; English when chosen', async () => {
    const from = await page.getByLabel('从哪一周').inputValue();
    const to = await page.getByLabel('到哪一周').inputValue();
    expect(from).toMatch(/^\d{4}-W\d{2}$/);
    const zh = await downloadFromPage();
    expect(zh.name).toBe(`checkins-${CENTRE}-${from}-${to}.csv`);
    expect([...zh.bytes.subarray(0, 3)]).toEqual(BOM);
    expect(zh.bytes.toString('utf8').startsWith('\uFEFF周,')).toBe(true);
    // Byte for byte the file the API answers for the same weeks.
    const direct = await apiGet(`/api/checkins/export.csv?centre=${CENTRE}&from=${from}&to=${to}`);
    expect(Buffer.from(await direct.arrayBuffer()).equals(zh.bytes)).toBe(true);
    await expect.poll(() => page.getByTestId('export-status').textContent()).toContain(zh.name);

    await page.getByRole('radio', { name: 'English' }).check();
    await page.getByLabel('包括每周回答的修改记录').check();
    const en = await downloadFromPage();
    expect([...en.bytes.subarray(0, 3)]).toEqual(BOM);
    const enDirect = await apiGet(
      `/api/checkins/export.csv?centre=${CENTRE}&from=${from}&to=${to}&lang=en&history=1`,
    );
    expect(Buffer.from(await enDirect.arrayBuffer()).equals(en.bytes)).toBe(true);
    expect(en.bytes.toString('utf8').startsWith('\uFEFFWeek,')).toBe(true);
  });

  it('erases a family from its card after its code is typed, and shows the job run to done', async () => {
    const families = async () =>
      (
        (await (await apiGet(`/api/families?centre=${CENTRE}`)).json()) as {
          families: { id: string; name: string }[];
        }
      ).families;
    const zhang = (await families()).find((f) => f.name === '张家');
    expect(zhang).toBeDefined();
    // Started from the family's card on 名册: 导出 opens with that family chosen.
    await page.getByRole('link', { name: '名册' }).click();
    await page
      .getByTestId('family')
      .filter({ hasText: '张家' })
      .getByRole('link', { name: /删除… 张家/ })
      .click();
    await page.getByRole('heading', { name: '导出与删除' }).waitFor();
    await page
      .getByLabel('要删除的家庭')
      .locator('option', { hasText: '张家' })
      .waitFor({ state: 'attached' });
    expect(await page.getByLabel('要删除的家庭').inputValue()).toBe(zhang?.id);
    const label = page.getByText(/请输入这个家庭的编号 J\S+ 以确认/);
    const code = /编号 (J\S+) 以确认/.exec((await label.textContent()) ?? '')?.[1] ?? '';
    expect(code).toMatch(/^J[2-9A-HJ-NP-Z]{4,6}$/);
    const confirm = page.getByLabel(/请输入这个家庭的编号/);
    const erase = page.getByRole('button', { name: '删除这个家庭' });
    // A wrong code does not start anything.
    await confirm.fill('J0000');
    expect(await erase.isDisabled()).toBe(true);
    await confirm.fill(code.toLowerCase());
    await erase.click();
    await page.getByTestId('erase-started').waitFor();
    const job = page.getByTestId('job').first();
    await job.waitFor();
    await expect.poll(() => job.getByTestId('job-status').textContent(), { timeout: 20_000 }).toBe('已完成');
    expect(await job.getByTestId('job-progress').textContent()).toMatch(/进度 (\d+) \/ \1，已运行 \d+ 步/);
    // The job the page shows is the API's, and the family is gone from the roster.
    const { jobs } = (await (await apiGet(`/api/jobs?centre=${CENTRE}`)).json()) as {
      jobs: { status: string; kind: string; deleted: Record<string, number> }[];
    };
    expect(jobs).toEqual([expect.objectContaining({ status: 'done', kind: 'erase-family' })]);
    const total = Object.values(jobs[0]?.deleted ?? {}).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    expect(await job.getByTestId('job-deleted').textContent()).toBe(`已删除 ${total} 条记录`);
    expect((await families()).some((f) => f.name === '张家')).toBe(false);
    await checkPage(page, 'exports-job');
  });

  it("shows the import dry run's per-line results before anything is written", async () => {
    await page.getByRole('link', { name: '名册' }).click();
    await page.getByTestId('family').first().waitFor();
    const csv = [
      'family,child,birth_year,category,consent,contact,role,phone,language',
      '孙家,孙小雨,2016,one-away,,孙奶奶,carer,13800000088,zh-CN',
      '孙家,孙小雨,2016,one-away,,孙爸爸,parent,13900000088,zh-CN',
      '周家,周小宝,2015,both-away,,周爷爷,carer,12345,zh-CN',
    ].join('\n');
    const results = () => page.getByTestId('import-result').allTextContents();
    const dryRun = async () => {
      await page.getByRole('button', { name: '先检查（不写入）' }).click();
      await page.getByTestId('import-report').waitFor();
    };
    await page.getByLabel('或粘贴内容').fill(csv);
    await dryRun();
    expect(await results()).toEqual(['新建', '新建', '拒绝']);
    expect(await page.getByTestId('import-summary').textContent()).toBe(
      '新建 2 行，更新 0 行，无变化 0 行，拒绝 1 行',
    );
    // What is new, column by column, and the refused line's reason.
    const lines = page.getByTestId('import-line');
    expect(await lines.nth(0).textContent()).toContain('孙家');
    expect(await lines.nth(2).textContent()).toContain('phone');
    // Nothing written by the dry run.
    expect(await page.getByTestId('family').filter({ hasText: '孙家' }).count()).toBe(0);
    await checkPage(page, 'roster-import');

    await page.getByRole('button', { name: '导入 2 行有效数据' }).click();
    await page.getByTestId('family').filter({ hasText: '孙家' }).waitFor();

    // The grandmother says stop; the same file checked again: nothing to change, and she stays out.
    await phone(server.port, '+8613800000088')('TD');
    await page.getByLabel('或粘贴内容').fill(`${csv}\n`);
    await dryRun();
    expect(await results()).toEqual(['无变化', '无变化', '拒绝']);
    const notice = page.getByTestId('import-notice');
    expect(await notice.count()).toBe(1);
    expect(await notice.textContent()).toMatch(/孙奶奶 said stop .*stays opted out/);
  });
});
