// A local stand-in for WeChat's API (api.weixin.qq.com), driven by the real HttpWechatApi: stable
// access tokens, customer-service and template messages, with WeChat's own rules (the 48-hour window
// and its 5 messages, followers only) on the test's clock, and error injection.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '#lib/ports/clock.ts';

/** What the fake answers one request with, instead of its rules: an errcode, an HTTP status, or a hang-up. */
export interface FakeWechatResponse {
  errcode?: number;
  errmsg?: string;
  status?: number;
  hangUp?: boolean;
  delayMs?: number;
}

export const wechatErrors = {
  invalidToken: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' },
  expiredToken: { errcode: 42001, errmsg: 'access_token expired' },
  outOfWindow: { errcode: 45015, errmsg: 'response out of time limit or subscription is canceled' },
  windowUsedUp: { errcode: 45047, errmsg: 'out of response count limit' },
  notFollowing: { errcode: 43004, errmsg: 'require subscribe' },
  busy: { errcode: -1, errmsg: 'system error' },
  argumentInvalid: { errcode: 47003, errmsg: 'argument invalid! data.content.value invalid' },
  serverError: { status: 502 },
} as const satisfies Record<string, FakeWechatResponse>;

export interface FakeWechatMessage {
  type: 'custom' | 'template';
  openId: string;
  text: string;
  templateId?: string | undefined;
  at: Date;
}

export interface FakeWechat {
  readonly baseUrl: string;
  /** Every message WeChat accepted, in order. */
  readonly sent: FakeWechatMessage[];
  /** Every stable_token call: whether it forced a refresh. */
  readonly tokenCalls: { force: boolean }[];
  /** errcodes answered to send requests, in order (0 = accepted). */
  readonly answers: number[];
  /** A delay before every answer. */
  latencyMs: number;
  /** The user wrote to the account at `at` (default now): WeChat opens their 48-hour window. */
  userWrote(openId: string, at?: Date): void;
  unfollow(openId: string): void;
  /** The next `n` send requests get `response`. */
  failNext(n: number, response: FakeWechatResponse): void;
  /** Invalidates the current token, as a forced refresh elsewhere would: 40001 until a new one. */
  revokeToken(): void;
  reset(): void;
  close(): Promise<void>;
}

const WINDOW_MS = 48 * 3_600_000;
const WINDOW_MESSAGES = 5;
const RENEW_EARLY_MS = 5 * 60_000;

export async function startFakeWechat(options: {
  appId: string;
  appSecret: string;
  clock: Clock;
  templateIds: string[];
  tokenLifetimeSeconds?: number;
}): Promise<FakeWechat> {
  const lifetimeMs = (options.tokenLifetimeSeconds ?? 7200) * 1000;
  let token: { value: string; expiresAt: number } | undefined;
  const revoked = new Set<string>();
  /** Tokens replaced by an early renewal: valid until they expire. */
  const previous = new Map<string, number>();
  const windows = new Map<string, { openedAt: number; used: number }>();
  const unfollowed = new Set<string>();
  let scripted: FakeWechatResponse[] = [];
  const now = () => options.clock.now().getTime();

  const json = (res: ServerResponse, body: unknown, delayMs: number, status = 200) => {
    const write = () =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (delayMs > 0) setTimeout(write, delayMs);
    else write();
  };

  const checkToken = (given: string | null): FakeWechatResponse | undefined => {
    if (!given || revoked.has(given)) return wechatErrors.invalidToken;
    const expiresAt = given === token?.value ? token.expiresAt : previous.get(given);
    if (expiresAt === undefined) return wechatErrors.invalidToken;
    if (now() >= expiresAt) return wechatErrors.expiredToken;
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const delay = fake.latencyMs;

    if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
      const force = body.force_refresh === true;
      fake.tokenCalls.push({ force });
      if (body.appid !== options.appId || body.secret !== options.appSecret) {
        return json(res, { errcode: 40125, errmsg: 'invalid appsecret' }, delay);
      }
      // Normal mode hands out the current token, renewed 5 minutes before it expires (the old one
      // stays valid until then); a forced refresh invalidates it at once.
      if (force || !token || token.expiresAt - now() < RENEW_EARLY_MS || revoked.has(token.value)) {
        if (token && force) revoked.add(token.value);
        if (token) previous.set(token.value, token.expiresAt);
        token = { value: `TOKEN_${randomBytes(12).toString('hex')}`, expiresAt: now() + lifetimeMs };
      }
      return json(
        res,
        { access_token: token.value, expires_in: Math.round((token.expiresAt - now()) / 1000) },
        delay,
      );
    }

    const isCustom = url.pathname === '/cgi-bin/message/custom/send';
    const isTemplate = url.pathname === '/cgi-bin/message/template/send';
    if (req.method !== 'POST' || (!isCustom && !isTemplate)) {
      return json(res, { errcode: 404, errmsg: 'not found' }, delay, 404);
    }
    const next = scripted.shift();
    if (next?.hangUp) {
      req.socket.destroy();
      return;
    }
    const answer = (r: FakeWechatResponse) => {
      fake.answers.push(r.errcode ?? -999);
      return r.status !== undefined
        ? json(res, { message: 'upstream error' }, delay + (r.delayMs ?? 0), r.status)
        : json(res, { errcode: r.errcode, errmsg: r.errmsg ?? '' }, delay + (r.delayMs ?? 0));
    };
    if (next && (next.errcode !== undefined || next.status !== undefined)) return answer(next);

    const tokenProblem = checkToken(url.searchParams.get('access_token'));
    if (tokenProblem) return answer(tokenProblem);
    const openId = String(body.touser ?? '');
    if (isCustom) {
      const text = (body.text as { content?: unknown } | undefined)?.content;
      if (body.msgtype !== 'text' || typeof text !== 'string')
        return answer({ errcode: 40008, errmsg: 'invalid message type' });
      const window = windows.get(openId);
      if (unfollowed.has(openId) || !window || now() > window.openedAt + WINDOW_MS)
        return answer(wechatErrors.outOfWindow);
      if (window.used >= WINDOW_MESSAGES) return answer(wechatErrors.windowUsedUp);
      window.used += 1;
      fake.sent.push({ type: 'custom', openId, text, at: new Date(now()) });
      return answer({ errcode: 0, errmsg: 'ok', delayMs: next?.delayMs });
    }
    const templateId = String(body.template_id ?? '');
    if (unfollowed.has(openId)) return answer(wechatErrors.notFollowing);
    if (!options.templateIds.includes(templateId))
      return answer({ errcode: 40037, errmsg: 'invalid template_id' });
    const data = body.data as Record<string, { value?: unknown }> | undefined;
    const text = Object.values(data ?? {})
      .map((d) => String(d.value ?? ''))
      .join(' ');
    fake.sent.push({ type: 'template', openId, text, templateId, at: new Date(now()) });
    fake.answers.push(0);
    return json(res, { errcode: 0, errmsg: 'ok', msgid: Date.now() }, delay + (next?.delayMs ?? 0));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeWechat = {
    baseUrl: `http://127.0.0.1:${port}`,
    sent: [],
    tokenCalls: [],
    answers: [],
    latencyMs: 0,
    userWrote(openId, at = options.clock.now()) {
      windows.set(openId, { openedAt: at.getTime(), used: 0 });
      unfollowed.delete(openId);
    },
    unfollow(openId) {
      unfollowed.add(openId);
    },
    failNext(n, response) {
      for (let i = 0; i < n; i++) scripted.push(response);
    },
    revokeToken() {
      if (token) revoked.add(token.value);
    },
    reset() {
      fake.sent.length = 0;
      fake.tokenCalls.length = 0;
      fake.answers.length = 0;
      fake.latencyMs = 0;
      scripted = [];
      token = undefined;
      previous.clear();
      windows.clear();
      unfollowed.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
  return fake;
}
