// The outbound half of the WeChat channel, for the send worker: a customer-service message while the
// user's 48-hour window is open (5 per window, counted in DynamoDB), a template message outside it,
// and 'unreachable' (the send worker's cue for the SMS fallback) when neither can carry the message.
import { randomUUID } from 'node:crypto';
import type { AccessTokenCache } from '#lib/channels/wechat/wechat-access-token.ts';
import {
  classifyWechatError,
  TOKEN_REJECTED,
  type WechatApi,
  WechatApiError,
} from '#lib/channels/wechat/wechat-api.ts';
import type { OutboundKind } from '#lib/domain/outbound-message.ts';
import { type OutboundChannel, SendFailure, type SendOptions, type SendResult } from '#lib/ports/channel.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { WechatWindowRepository } from '#lib/store/conversation/wechat-window-repository.ts';

/** A template approved for the account, and the one field lianxin puts the message text in. */
export interface WechatTemplate {
  templateId: string;
  /** e.g. `thing1` for {{thing1.DATA}}. */
  field: string;
  /** What the field accepts (a `thing` field: 20 characters); longer texts cannot go by template. */
  maxLength: number;
}

export type WechatTemplates = Partial<Record<OutboundKind, WechatTemplate>>;

export interface WechatOutboundOptions {
  api: WechatApi;
  tokens: AccessTokenCache;
  windows: Pick<WechatWindowRepository, 'take' | 'giveBack' | 'useUp'>;
  templates: WechatTemplates;
  clock: Clock;
}

/** 45015: the 48 hours are over (or the user unfollowed); 45047: the window's messages are used up. */
const WINDOW_OVER = new Set([45015, 45047]);
/** 47003: a template field refused the value (too long, wrong type): the template cannot carry it. */
const TEMPLATE_REFUSED_VALUE = 47003;

export class WechatOutbound implements OutboundChannel {
  readonly name = 'wechat' as const;

  constructor(private readonly options: WechatOutboundOptions) {}

  async send(openId: string, body: string, sendOptions: SendOptions = {}): Promise<SendResult> {
    const { windows, clock } = this.options;
    const slot = await windows.take(openId, clock.now());
    let why: string =
      slot.result === 'closed' ? 'outside the 48-hour window' : 'the window’s 5 messages are used';
    if (slot.result === 'taken') {
      try {
        await this.#withToken((token) => this.options.api.sendCustomText(token, openId, body));
        return { providerId: `wechat-cs-${randomUUID()}` };
      } catch (error) {
        if (error instanceof WechatApiError && error.code !== undefined && WINDOW_OVER.has(error.code)) {
          // WeChat's count wins over ours: no more customer-service messages in this window.
          await windows.useUp(openId, slot.openedAt);
          why = `WeChat closed the window (${error.code})`;
        } else {
          const failure = toSendFailure(error);
          // Refused for sure: the slot was not spent. (A timeout may have sent it: it stays counted.)
          if (failure.kind !== 'unknown-outcome') await windows.giveBack(openId, slot.openedAt);
          throw failure;
        }
      }
    }
    return this.#sendTemplate(openId, body, sendOptions.kind, why);
  }

  async #sendTemplate(openId: string, body: string, kind: OutboundKind | undefined, why: string) {
    const template = kind === undefined ? undefined : this.options.templates[kind];
    if (!template) throw new SendFailure('unreachable', `${why}, and no WeChat template for ${kind ?? 'it'}`);
    if (body.length > template.maxLength) {
      throw new SendFailure('unreachable', `${why}, and the text is too long for the ${kind} template`);
    }
    try {
      const msgId = await this.#withToken((token) =>
        this.options.api.sendTemplate(token, openId, {
          templateId: template.templateId,
          data: { [template.field]: body },
        }),
      );
      return { providerId: `wechat-tpl-${msgId}` };
    } catch (error) {
      if (error instanceof WechatApiError && error.code === TEMPLATE_REFUSED_VALUE) {
        throw new SendFailure('unreachable', `${why}, and the ${kind} template refused the text`, error.code);
      }
      throw toSendFailure(error);
    }
  }

  /** Calls with the cached token; if WeChat says the token is bad (40001/42001), renews it once. */
  async #withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.#token(() => this.options.tokens.get());
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WechatApiError) || error.code === undefined || !TOKEN_REJECTED.has(error.code)) {
        throw error;
      }
      const fresh = await this.#token(() => this.options.tokens.renewAfterRejection(token));
      return call(fresh);
    }
  }

  /** No token is no send, and nothing left: retry later (the DLQ alarm tells if it never comes). */
  async #token(get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new SendFailure('retryable', `no WeChat access token (${detail})`, undefined, { cause: error });
    }
  }
}

function toSendFailure(error: unknown): SendFailure {
  return error instanceof SendFailure ? error : classifyWechatError(error);
}
