// What a WeChat user's message means: a linked user's text is a conversation turn (the same engine
// as SMS); everything else is handled here, before the engine: linking with the Centre's code,
// follow/unfollow, and "please reply in text" for photos and voice notes.
import type { WechatMessage } from '#lib/channels/wechat/wechat-inbound.ts';
import {
  isCodeAttempt,
  LINK_ATTEMPTS_PER_HOUR,
  linkCodeFromScene,
  linkedText,
  linkingTexts,
  readLinkCode,
  textOnlyText,
  welcomeBackText,
} from '#lib/domain/link-code.ts';
import { composeReply, MESSAGES } from '#lib/domain/message-catalog.ts';
import type { ContactView } from '#lib/domain/model.ts';
import { handleInboundMessage, type InboundDependencies } from '#lib/inbound/handle-inbound-message.ts';
import type { HandledMessageRepository } from '#lib/store/conversation/handled-message-repository.ts';
import type { WechatWindowRepository } from '#lib/store/conversation/wechat-window-repository.ts';
import type { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export interface WechatMessageDependencies extends InboundDependencies {
  roster: Pick<
    RosterRepository,
    'getContactView' | 'getContact' | 'attachAddress' | 'markAddressInvalid' | 'markAddressValid'
  >;
  linkCodes: LinkCodeRepository;
  handled: HandledMessageRepository;
  windows: Pick<WechatWindowRepository, 'opened'>;
}

export interface WechatOutcome {
  /** Texts for the user (the passive reply, or customer-service messages if it came too late). */
  replies: string[];
  /** The contact they reached, when the OpenID is linked (late replies need one to be sent). */
  contactId: string | undefined;
}

/**
 * The id a message is deduplicated on: MsgId for messages, FromUserName + CreateTime for events
 * (the FromUserName is the partition: `ADDR#wechat#<OpenID>`), as WeChat advises for its retries.
 */
export function wechatMessageId(message: WechatMessage): string {
  switch (message.kind) {
    case 'text':
      return message.msgId;
    case 'other':
      return message.msgId ?? `msg-${message.createTime}-${message.msgType}`;
    case 'event':
      return `evt-${message.createTime}-${message.event}`;
  }
}

/** One WeChat message → the replies. Idempotent on wechatMessageId: a retry gets the same replies. */
export async function handleWechatMessage(
  message: WechatMessage,
  deps: WechatMessageDependencies,
): Promise<WechatOutcome> {
  const now = deps.clock.now();
  const fromUser = message.kind !== 'event';
  const [contact] = await Promise.all([
    deps.roster.getContactView('wechat', message.openId),
    // The user wrote: WeChat allows 5 customer-service messages for 48 h from now.
    fromUser ? openWindow(message, now, deps) : undefined,
  ]);
  const contactId = contact?.contactId;

  if (message.kind === 'text' && contact) {
    const replies = await handleInboundMessage(
      {
        channel: 'wechat',
        from: message.openId,
        to: message.account,
        body: message.content,
        messageId: message.msgId,
        receivedAt: now.toISOString(),
      },
      deps,
    );
    return { replies, contactId };
  }
  if (message.kind === 'event') return { replies: await onEvent(message, contact, deps), contactId };

  // Linking, and messages that are not text: answered once per message id.
  const id = wechatMessageId(message);
  const earlier = await deps.handled.recall('wechat', message.openId, id);
  if (earlier) return { replies: earlier, contactId };
  let replies: string[];
  if (message.kind === 'text') replies = [await tryToLink(message.openId, message.content, deps)];
  // Someone who said stop hears nothing more unless they ask (START, HELP: the engine answers those).
  else if (contact?.optedOut) replies = [];
  else replies = [contact ? textOnlyText(contact.language) : linkingTexts.askForCode];
  return { replies: await deps.handled.remember('wechat', message.openId, id, replies, now), contactId };
}

async function openWindow(message: WechatMessage, now: Date, deps: WechatMessageDependencies) {
  // CreateTime is WeChat's clock; never in our future (a skewed clock must not stretch the window).
  const at = new Date(Math.min(message.createTime * 1000, now.getTime()));
  try {
    await deps.windows.opened(message.openId, at);
  } catch (error) {
    // Without it the window looks closed: later messages go by template or SMS, never too many.
    deps.logger.error('could not record the WeChat window', { error: error as Error });
  }
}

async function onEvent(
  message: Extract<WechatMessage, { kind: 'event' }>,
  contact: ContactView | undefined,
  deps: WechatMessageDependencies,
): Promise<string[]> {
  const addressKey = `wechat:${message.openId}`;
  switch (message.event) {
    case 'unsubscribe':
      // They unfollowed: nothing more can reach them on WeChat (and nothing should) until they follow again.
      if (contact) await deps.roster.markAddressInvalid(contact.contactId, addressKey);
      deps.logger.info('WeChat user unfollowed', { linked: contact !== undefined });
      return [];
    case 'subscribe':
    case 'SCAN': {
      const id = wechatMessageId(message);
      const earlier = await deps.handled.recall('wechat', message.openId, id);
      if (earlier) return earlier;
      let replies: string[] = [];
      if (contact) {
        if (message.event === 'subscribe') {
          await deps.roster.markAddressValid(contact.contactId, addressKey);
          // Following again is not "START": someone who stopped messages is reminded how to resume.
          replies = [
            contact.optedOut
              ? composeReply(contact.language, [MESSAGES[contact.language].optedOut])
              : welcomeBackText(contact.language, contact.displayName),
          ];
        }
      } else {
        // A QR code from the Centre carries the code as its scene value: following it links at once.
        const code = linkCodeFromScene(message.eventKey);
        if (code) replies = [await tryToLink(message.openId, code, deps)];
        else if (message.event === 'subscribe') replies = [linkingTexts.welcome];
      }
      return deps.handled.remember('wechat', message.openId, id, replies, deps.clock.now());
    }
    default:
      // Menu clicks, location reports, template delivery reports: nothing to say.
      return [];
  }
}

/** A text from a WeChat user not linked yet: a code links them; wrong codes are rate-limited. */
async function tryToLink(openId: string, text: string, deps: WechatMessageDependencies): Promise<string> {
  const code = readLinkCode(text);
  if (!code && !isCodeAttempt(text)) return linkingTexts.askForCode;
  const now = deps.clock.now();
  if ((await deps.linkCodes.failures('wechat', openId, now)) >= LINK_ATTEMPTS_PER_HOUR) {
    deps.logger.warn('link code rate limit reached', { openId });
    return linkingTexts.tooManyTries;
  }
  const contactId = code ? await deps.linkCodes.redeem(code, openId, now) : undefined;
  if (!code || !contactId) {
    const count = await deps.linkCodes.countFailure('wechat', openId, now);
    deps.logger.info('wrong link code', { openId, count });
    return linkingTexts.wrongCode;
  }
  try {
    const contact = await deps.roster.attachAddress(
      contactId,
      { channel: 'wechat', address: openId },
      { prefer: true },
    );
    deps.logger.info('WeChat account linked', { contactId });
    return linkedText(contact.language, contact.name, contact.role === 'carer');
  } catch (error) {
    // The code stays usable: the retry (or the next try) can link.
    await deps.linkCodes.release(code, openId);
    throw error;
  }
}
