// Linking a WeChat account to a roster contact with a one-time code from the Centre: what counts
// as a code, and what lianxin says along the way. Pure.
import { compactInput } from '#lib/domain/answer-parsing.ts';
import { BRAND } from '#lib/domain/message-catalog.ts';
import type { Language } from '#lib/domain/model.ts';

/**
 * Eight digits: easy to type on any phone, and 10^8 of them, so that guessing one of the few
 * hundred live codes at 5 wrong tries an hour stays hopeless.
 */
export const LINK_CODE_DIGITS = 8;
/** Wrong codes allowed from one WeChat account per hour before it has to wait. */
export const LINK_ATTEMPTS_PER_HOUR = 5;
/** A code is valid for a week: time to get a grandchild to help set up WeChat. */
export const LINK_CODE_TTL_DAYS = 7;

const CODE = new RegExp(`^\\d{${LINK_CODE_DIGITS}}$`);

/** The code in a message, as people type it: `48219307`, `4821 9307`, `４８２１-９３０７`. */
export function readLinkCode(text: string): string | undefined {
  const compact = compactInput(text).replace(/[-_.]/g, '');
  return CODE.test(compact) ? compact : undefined;
}

/**
 * A message that is a try at a code (only digits, 4–12 of them), right or wrong. Only these count
 * towards the rate limit: 你好 or 签到 from someone not yet linked is not a guess.
 */
export function isCodeAttempt(text: string): boolean {
  return /^\d{4,12}$/.test(compactInput(text).replace(/[-_.]/g, ''));
}

/** The code in a QR code's scene value: `qrscene_48219307` on subscribe, `48219307` on SCAN. */
export function linkCodeFromScene(eventKey: string | undefined): string | undefined {
  if (!eventKey) return undefined;
  const value = eventKey.startsWith('qrscene_') ? eventKey.slice('qrscene_'.length) : eventKey;
  return CODE.test(value) ? value : undefined;
}

/** As printed on the slip the Centre hands out: `4821 9307`. */
export function formatLinkCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4)}`;
}

// We do not know who is writing yet, so the first messages are in both languages.
export const linkingTexts = {
  welcome: `${BRAND}欢迎关注连心！请回复儿童之家老师给您的8位数字绑定码。Welcome to lianxin! Please reply with the 8-digit code from your Children's Centre.`,
  askForCode: `${BRAND}请回复儿童之家老师给您的8位数字绑定码。Please reply with the 8-digit code from your Children's Centre.`,
  wrongCode: `${BRAND}绑定码不对或已过期，请再看一下，或联系儿童之家老师。That code is not right or has expired; please check it or ask your Centre.`,
  tooManyTries: `${BRAND}试错次数太多，请一小时后再试，或联系儿童之家老师。Too many tries; please try again in an hour or ask your Centre.`,
  textOnly: `${BRAND}请用文字回复。Please reply in text.`,
} as const;

export function linkedText(language: Language, name: string, carer: boolean): string {
  if (language === 'en') {
    return `${BRAND}Linked! Hello, ${name}. ${carer ? "Reply CHECKIN for this week's check-in, " : 'Reply '}HELP for help.`;
  }
  return `${BRAND}绑定成功！${name}您好。${carer ? '回复“签到”做本周签到，' : '回复'}“帮助”查看说明。`;
}

export function welcomeBackText(language: Language, name: string): string {
  return language === 'en'
    ? `${BRAND}Welcome back, ${name}! Reply HELP for help.`
    : `${BRAND}${name}，欢迎回来！回复“帮助”查看说明。`;
}

export function textOnlyText(language: Language): string {
  return language === 'en' ? `${BRAND}Please reply in text.` : `${BRAND}请用文字回复。`;
}
