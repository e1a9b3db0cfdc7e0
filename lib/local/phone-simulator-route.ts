// `npm start` only: the console's 模拟手机 (phone simulator). Each demo person's phone: their SMS
// thread (what they typed, lianxin's replies, and what the send worker sent them through the local
// outbox), and a way to type as them, posted to the real SMS webhook exactly as Twilio would sign it.
import type { LocalOutbox } from '#lib/channels/local-outbox.ts';
import type { DevRoute } from '#lib/local/local-server.ts';
import {
  inboundSmsParams,
  messagesFromTwiml,
  signedInboundSmsRequest,
} from '#lib/local/twilio-inbound-request.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export const PHONES_PATH = '/dev/phones';

interface Deps {
  roster: Pick<RosterRepository, 'listCentreContacts' | 'getContact'>;
  centreIds: readonly string[];
  outbox: LocalOutbox;
  clock: Clock;
  /** Where the webhook is reachable now, and the URL Twilio signs (PUBLIC_URL). */
  webhook: () => { fetchUrl: string; signedUrl: string };
  twilio: { accountSid: string; authToken: string; phoneNumber: string };
}

interface ThreadEntry {
  at: string;
  direction: 'in' | 'out';
  body: string;
  /** out: how it went (the reply to a text, or the send worker's outbox). */
  via?: 'reply' | 'outbox';
}

const MAX_TEXT = 1600;

export function phoneSimulatorRoutes(deps: Deps): DevRoute[] {
  /** What each phone typed and was answered, in this process (the outbox keeps the rest). */
  const typed = new Map<string, ThreadEntry[]>();

  const people = async () => {
    const found = [];
    for (const centreId of deps.centreIds) {
      for (const link of await deps.roster.listCentreContacts(centreId)) {
        const contact = await deps.roster.getContact(link.contactId);
        const phone = contact?.addresses.find((a) => a.channel === 'sms')?.address;
        if (contact && phone)
          found.push({ id: contact.contactId, name: contact.name, role: contact.role, phone });
      }
    }
    return found;
  };

  return [
    {
      method: 'GET',
      path: PHONES_PATH,
      description: 'the phone simulator: the demo people and the local time',
      async handle() {
        return { status: 200, json: { now: deps.clock.now().toISOString(), people: await people() } };
      },
    },
    {
      method: 'GET',
      path: `${PHONES_PATH}/thread`,
      description: "one phone's SMS thread: ?phone=+8613800000001",
      async handle(url) {
        const phone = url.searchParams.get('phone') ?? '';
        const sent: ThreadEntry[] = deps.outbox
          .list()
          .filter((m) => m.channel === 'sms' && m.to === phone)
          .map((m) => ({ at: m.sentAt, direction: 'out', body: m.body, via: 'outbox' }));
        const thread = [...(typed.get(phone) ?? []), ...sent].sort((a, b) => a.at.localeCompare(b.at));
        return { status: 200, json: { phone, thread } };
      },
    },
    {
      method: 'POST',
      path: `${PHONES_PATH}/text`,
      description: 'type as a phone: ?phone=+8613800000001, the text as the body',
      async handle(url, body) {
        const phone = url.searchParams.get('phone') ?? '';
        const text = body.toString('utf8');
        if (!(await people()).some((p) => p.phone === phone))
          return { status: 404, json: { error: 'not a local phone' } };
        if (text.trim() === '' || text.length > MAX_TEXT)
          return { status: 400, json: { error: `a text of 1-${MAX_TEXT} characters` } };
        const { fetchUrl, signedUrl } = deps.webhook();
        const params = inboundSmsParams({
          from: phone,
          to: deps.twilio.phoneNumber,
          body: text,
          accountSid: deps.twilio.accountSid,
        });
        const request = signedInboundSmsRequest({ url: signedUrl, authToken: deps.twilio.authToken, params });
        // Wall time, as the outbox stamps its entries: the thread interleaves both in order.
        const at = new Date().toISOString();
        const response = await fetch(fetchUrl, { method: 'POST', ...request });
        const replies = response.ok ? messagesFromTwiml(await response.text()) : [];
        const thread = typed.get(phone) ?? [];
        thread.push({ at, direction: 'in', body: text });
        for (const reply of replies) thread.push({ at, direction: 'out', body: reply, via: 'reply' });
        typed.set(phone, thread);
        return { status: response.ok ? 200 : 502, json: { replies } };
      },
    },
  ];
}
