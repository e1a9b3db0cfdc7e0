// A broadcast too long for a +86 provider's templates, through the coordinators' API and a GB text on
// DynamoDB Local, with the real send path behind: with Tencent Cloud as the provider (or as Alibaba
// Cloud's fallback) the preview says why, composing and approving are refused, and nothing is written
// or sent. How many characters fit is worked out here from the template catalogue, not by the check.
import { beforeEach, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import { broadcastIdFor } from '#lib/broadcasts/gb-command.ts';
import { apiSettings } from '#lib/config/api.ts';
import { broadcastPricing } from '#lib/config/broadcast.ts';
import { domesticSmsPricing, mainlandTemplateCarriers } from '#lib/config/mainland-sms-prices.ts';
import { broadcastBody } from '#lib/domain/broadcast.ts';
import type { Language } from '#lib/domain/model.ts';
import { charCount, MAX_VARIABLE_CHARS, SIGNATURE, SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { DEMO_ROSTER } from '#lib/local/demo/demo-roster.ts';
import { newMessageSid } from '#lib/local/twilio-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { setGbPin } from '#tests/support/gb-pin.ts';
import { invoke, smsEvent } from '#tests/support/sms-webhook.ts';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const CENTRE = DEMO_ROSTER.centre.centreId;
const CENTRE_NAME = DEMO_ROSTER.centre.name;
const COORDINATOR = '+8613700000001';
const WANG = { centreId: CENTRE, contactId: 'contact-wang-laoshi' };
const PIN = '4821';
const TENCENT_LIMIT = 12;
const logger = createLogger('test-broadcast-template-limits');
logger.setLogLevel('SILENT');

/** Characters of the coordinator's text a notice holds at this variable limit (from the catalogue). */
function fits(limit: number, language: Language): number {
  const notices = SMS_TEMPLATES.filter((t) => t.kinds.includes('broadcast'));
  const capacity = Math.max(...notices.map((t) => t.variables.length)) * limit;
  const added = charCount(broadcastBody('x', CENTRE_NAME, language)) - charCount(SIGNATURE) - 1;
  return capacity - added;
}

let world: WeeklyRhythmWorld;
beforeEach(async () => {
  world = await weeklyRhythmWorld({ start: '2026-12-05T02:00:00Z' });
});

/** The coordinators' API as deployed with this +86 configuration. */
async function apiWith(env: Record<string, string>) {
  const settings = apiSettings(world.config);
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  const token = await issueLocalToken(settings.auth.signingKey, { subject: 'coord', centres: [CENTRE] });
  const pricing = { ...broadcastPricing(world.config), domestic: domesticSmsPricing(world.config, env) };
  const api = createCoordinatorApiHandler(
    createCoordinatorApiOptions(
      settings,
      createCoordinatorApiDependencies(
        world.config,
        logger,
        world.harness.adapters,
        pricing,
        mainlandTemplateCarriers(world.config, env),
      ),
    ),
  );
  return async (path: string, body?: unknown) => {
    const result = await invokeApi(api, path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = result.body ?? '';
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: result.statusCode ?? 0, json: json as Record<string, unknown>, text };
  };
}

/** After a tick and the send worker: no broadcast message was written or sent. */
async function nothingSent(text: string) {
  await world.tick();
  expect(world.sent.filter((m) => m.body.includes(text))).toEqual([]);
  expect((await world.outboundItems()).filter((m) => m.kind === 'broadcast')).toEqual([]);
}

describe('with SMS_PROVIDER=tencent', () => {
  it('the preview gives the reason, composing is refused and nothing is written or sent', async () => {
    const call = await apiWith({ SMS_PROVIDER: 'tencent' });
    const room = fits(TENCENT_LIMIT, 'zh-CN');
    const tooLong = '周'.repeat(room + 1);
    const preview = await call('/api/broadcasts/preview', { centres: [CENTRE], texts: { 'zh-CN': tooLong } });
    expect(preview.status).toBe(200);
    expect(preview.json.recipients).toBeGreaterThan(0);
    expect(preview.json.templateRefusals).toEqual([
      {
        language: 'zh-CN',
        provider: 'tencent',
        maxVariableChars: TENCENT_LIMIT,
        fits: room,
        chars: room + 1,
      },
    ]);
    // The longest text that fits previews clean.
    const justFits = '周'.repeat(room);
    const clean = await call('/api/broadcasts/preview', { centres: [CENTRE], texts: { 'zh-CN': justFits } });
    expect(clean.json.templateRefusals).toBeUndefined();

    const composed = await call('/api/broadcasts', { centres: [CENTRE], texts: { 'zh-CN': tooLong } });
    expect(composed.status).toBe(400);
    expect(composed.text).toContain('腾讯云');
    expect(composed.text).toContain(`最多能写${room}字，现在有${room + 1}字`);
    expect(composed.text).toContain(`${room} characters fit; it has ${room + 1}`);
    const list = await call(`/api/broadcasts?centre=${CENTRE}`);
    expect(list.json.broadcasts).toEqual([]);
    await nothingSent(tooLong);
  });
});

describe('with SMS_PROVIDER=aliyun and SMS_FALLBACK_PROVIDER=tencent', () => {
  const env = { SMS_PROVIDER: 'aliyun', SMS_FALLBACK_PROVIDER: 'tencent' };

  it('the preview names the fallback whose templates cannot carry it, not Alibaba Cloud', async () => {
    const call = await apiWith(env);
    const en = 'a'.repeat(fits(TENCENT_LIMIT, 'en') + 3);
    expect(charCount(en)).toBeLessThan(fits(MAX_VARIABLE_CHARS, 'en'));
    const preview = await call('/api/broadcasts/preview', { centres: [CENTRE], texts: { en } });
    expect(preview.status).toBe(200);
    expect(preview.json.templateRefusals).toEqual([
      {
        language: 'en',
        provider: 'tencent',
        maxVariableChars: TENCENT_LIMIT,
        fits: fits(TENCENT_LIMIT, 'en'),
        chars: charCount(en),
      },
    ]);
  });

  it('a draft composed before the fallback was configured cannot be approved: it stays a draft, nothing is enqueued', async () => {
    const text = '通'.repeat(fits(TENCENT_LIMIT, 'zh-CN') + 10);
    const earlier = await apiWith({ SMS_PROVIDER: 'aliyun' });
    const draft = await earlier('/api/broadcasts', { centres: [CENTRE], texts: { 'zh-CN': text } });
    expect(draft.status).toBe(201);
    const id = String(draft.json.id);

    const call = await apiWith(env);
    const approved = await call(`/api/broadcasts/${id}/approve`, {});
    expect(approved.status).toBe(400);
    expect(approved.text).toContain('腾讯云');
    expect((await call(`/api/broadcasts/${id}`)).json.status).toBe('draft');
    await nothingSent(text);

    // Alibaba Cloud alone carries it: the same draft goes.
    expect((await earlier(`/api/broadcasts/${id}/approve`, {})).status).toBe(200);
    await world.tick();
    expect(world.sent.filter((m) => m.body.includes(text)).length).toBeGreaterThan(0);
  });
});

describe('GB by text with SMS_PROVIDER=tencent', () => {
  it('answers a too-long GB with the reason in the coordinator’s language, and composes nothing', async () => {
    const env = { SMS_PROVIDER: 'tencent' };
    const broadcasts = new BroadcastRepository({
      client: world.table.client,
      tableName: world.table.tableName,
    });
    const service = new BroadcastService({
      broadcasts,
      roster: world.roster,
      outbound: world.harness.outbound,
      clock: world.clock,
      logger,
      pricing: { ...broadcastPricing(world.config), domestic: domesticSmsPricing(world.config, env) },
      carriers: mainlandTemplateCarriers(world.config, env),
    });
    const webhook = createSmsWebhookHandler(
      createSmsWebhookDependencies(world.config, logger, { broadcasts: service }, world.harness.adapters),
      world.config.PUBLIC_URL,
    );
    expect((await setGbPin(world.config, world.harness.adapters, WANG, PIN)).statusCode).toBe(200);
    const say = async (body: string, messageSid = newMessageSid()) => {
      const result = await invoke(webhook, smsEvent(world.config, { from: COORDINATOR, body, messageSid }));
      expect(result.statusCode).toBe(200);
      return result.replies;
    };

    const room = fits(TENCENT_LIMIT, 'zh-CN');
    const text = '停'.repeat(room + 1);
    const sid = newMessageSid();
    const replies = await say(`GB ${PIN} ${text}`, sid);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^【连心】没有发送：腾讯云短信模板装不下这条中文通知/);
    expect(replies[0]).toContain(`最多能写${room}字，现在有${room + 1}字`);
    expect(await broadcasts.get(broadcastIdFor({ channel: 'sms', messageId: sid }))).toBeUndefined();
    // No preview is waiting, so YES confirms nothing.
    expect((await say('是'))[0]).toContain('没有待确认的群发');
    await nothingSent(text);

    // GB sends the one text in every language, so the English message's longer wording decides too.
    expect(replies[0]).toContain('这条英文通知');
    const both = Math.min(room, fits(TENCENT_LIMIT, 'en'));
    expect((await say(`GB ${PIN} ${'停'.repeat(both + 1)}`))[0]).toContain('没有发送');
    const ok = await say(`GB ${PIN} ${'停'.repeat(both)}`);
    expect(ok[0]).toMatch(/^【连心】群发预览/);
  });
});
