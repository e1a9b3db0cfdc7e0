import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSmsOutbound } from '#lib/channels/twilio-sms/twilio-sms-outbound.ts';
import { SendFailure } from '#lib/ports/channel.ts';
import { fakeResponses } from '#tests/support/fake-twilio-server.ts';
import { type OffThreadFakeTwilio, startFakeTwilioOffThread } from '#tests/support/fake-twilio-thread.ts';

// The fake Twilio the send bench uses, in a worker thread: what it received comes back by message.
const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const AUTH_TOKEN = 'fake-twilio-thread-token';

let fake: OffThreadFakeTwilio;
beforeAll(async () => {
  fake = await startFakeTwilioOffThread({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});
afterAll(() => fake.close());

const channel = (authToken = AUTH_TOKEN) =>
  new TwilioSmsOutbound({
    accountSid: ACCOUNT_SID,
    authToken,
    from: '+15005550006',
    apiBaseUrl: fake.baseUrl,
  });

describe('the fake Twilio in a worker thread', () => {
  it('creates each message it is sent and reports the requests, checked against the account', async () => {
    await fake.reset();
    const sms = channel();
    const sent = await Promise.all([sms.send('+8613800000001', 'one'), sms.send('+8613800000002', 'two')]);
    await expect(channel('wrong-token').send('+8613800000003', 'three')).rejects.toBeInstanceOf(SendFailure);

    const requests = await fake.requests();
    expect(requests.map((r) => [r.to, r.body, r.authorised, r.answeredWith]).sort()).toEqual([
      ['+8613800000001', 'one', true, 201],
      ['+8613800000002', 'two', true, 201],
      ['+8613800000003', 'three', false, 401],
    ]);
    expect(new Set(requests.filter((r) => r.sid).map((r) => r.sid))).toEqual(
      new Set(sent.map((s) => s.providerId)),
    );
  });

  // The latency's effect is a timing, measured by `npm run bench -- send` (its provider-call mean).
  it('forgets the requests on reset, and still answers with a latency set', async () => {
    await fake.reset();
    await channel().send('+8613800000001', 'before');
    await fake.reset(20);
    await channel().send('+8613800000001', 'after');
    expect((await fake.requests()).map((r) => [r.body, r.answeredWith])).toEqual([['after', 201]]);
  });

  it('answers as scripted', async () => {
    await fake.reset();
    await fake.failNext(1, fakeResponses.rateLimited);
    await expect(channel().send('+8613800000001', 'limited')).rejects.toMatchObject({ kind: 'retryable' });
    await channel().send('+8613800000001', 'then sent');
    expect((await fake.requests()).map((r) => r.answeredWith)).toEqual([429, 201]);
  });
});
