import type { AccessToken, WechatApi } from '#lib/channels/wechat/wechat-api.ts';
import type { Clock } from '#lib/ports/clock.ts';

export interface AccessTokenCacheOptions {
  api: WechatApi;
  clock: Clock;
  /** Renewed this long before WeChat says it expires. Default 5 minutes (WeChat renews 5 min early too). */
  marginSeconds?: number;
  /** After a forced refresh, none again for this long (WeChat allows 20 a day, 30 s apart). */
  forceIntervalSeconds?: number;
}

interface Cached {
  token: string;
  /** Epoch ms after which it is not used. */
  renewAt: number;
}

/**
 * The access token from `stable_token`, cached until shortly before it expires. Concurrent callers
 * share one request (single flight), so a burst of sends costs one token call.
 *
 * Across Lambda instances nothing is shared, and nothing needs to be: `stable_token` in normal mode
 * returns the same token to every caller while it is valid (unlike the old `/cgi-bin/token`, which
 * invalidated the previous token), so each instance costs one call per cold start and per ~2 h
 * (limits: 10,000 a minute, 500,000 a day). To save even that, a DynamoDB item (`WECHAT#TOKEN`,
 * token + expiry, KMS-encrypted like the table) could sit in front, read before calling WeChat.
 */
export class AccessTokenCache {
  readonly #api: WechatApi;
  readonly #clock: Clock;
  readonly #marginMs: number;
  readonly #forceIntervalMs: number;
  #cached: Cached | undefined;
  #inFlight: Promise<string> | undefined;
  #lastForcedAt = Number.NEGATIVE_INFINITY;

  constructor(options: AccessTokenCacheOptions) {
    this.#api = options.api;
    this.#clock = options.clock;
    this.#marginMs = (options.marginSeconds ?? 300) * 1000;
    this.#forceIntervalMs = (options.forceIntervalSeconds ?? 30) * 1000;
  }

  /** A token valid for a while yet. */
  async get(): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#clock.now().getTime() < cached.renewAt) return cached.token;
    return this.#fetch(false);
  }

  /**
   * WeChat refused `rejected` (40001/42001): a fresh token. If another caller already replaced it,
   * that one; else normal mode (which returns a renewed token if WeChat renewed it); and only if that
   * hands back the very token WeChat refused, a forced refresh, at most once per interval.
   */
  async renewAfterRejection(rejected: string): Promise<string> {
    if (this.#inFlight) return this.#inFlight;
    const cached = this.#cached;
    if (cached && cached.token !== rejected) return cached.token;
    this.#cached = undefined;
    const fresh = await this.#fetch(false);
    if (fresh !== rejected) return fresh;
    const now = this.#clock.now().getTime();
    if (now - this.#lastForcedAt < this.#forceIntervalMs) return fresh;
    this.#lastForcedAt = now;
    this.#cached = undefined;
    return this.#fetch(true);
  }

  #fetch(force: boolean): Promise<string> {
    this.#inFlight ??= this.#api
      .stableToken(force)
      .then((answer: AccessToken) => {
        const now = this.#clock.now().getTime();
        const validMs = answer.expiresIn * 1000;
        // Normally expires_in is ~7200 s; a token handed out near its end is used for half what is left.
        const lifetimeMs = validMs > 2 * this.#marginMs ? validMs - this.#marginMs : validMs / 2;
        this.#cached = { token: answer.token, renewAt: now + lifetimeMs };
        return answer.token;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }
}
