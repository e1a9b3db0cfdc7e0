import { BRAND } from '#lib/domain/message-catalog.ts';
import type { AlertRecord, ContactView, Language } from '#lib/domain/model.ts';
import { WEEKLY_CHECKIN_ITEMS } from '#lib/domain/weekly-checkin-flow.ts';

// What made the answer concerning, in words a coordinator reads at a glance.
export const ALERT_REASONS: Readonly<Record<Language, Record<string, string>>> = {
  'zh-CN': {
    [WEEKLY_CHECKIN_ITEMS.mood]: '这周很难过',
    [WEEKLY_CHECKIN_ITEMS.school]: '这周没去上学',
    [WEEKLY_CHECKIN_ITEMS.health]: '身体需要帮助',
  },
  en: {
    [WEEKLY_CHECKIN_ITEMS.mood]: 'has been very sad this week',
    [WEEKLY_CHECKIN_ITEMS.school]: 'did not go to school this week',
    [WEEKLY_CHECKIN_ITEMS.health]: 'needs help with their health',
  },
};

const QUOTE_LENGTH = 40;

/** What a coordinator can do with it: its reference, once assigned (A7), and the carer's number. */
export interface AlertHandle {
  ref?: string | undefined;
}

/**
 * The SMS a coordinator gets when a check-in answer raises an alert: its reference, the child, what
 * was answered, the carer's number to call back, and how to answer it by text.
 */
export function alertMessage(
  alert: AlertRecord,
  raisedBy: ContactView,
  language: Language,
  handle: AlertHandle = {},
): string {
  const what = alertSummary(alert, raisedBy, language);
  const phone = carerPhone(raisedBy);
  const ref = handle.ref ?? '';
  return language === 'zh-CN'
    ? `${BRAND}关注提醒${ref}：${what}。${phone ? `照顾者电话${phone}。` : ''}请尽快联系，回复“收到${ref ? ` ${ref}` : ''}”确认。`
    : `${BRAND}Alert${ref ? ` ${ref}` : ''}: ${what}. ${phone ? `Carer's phone ${phone}. ` : ''}Please get in touch soon; reply OK${ref ? ` ${ref}` : ''} to acknowledge.`;
}

/** The SMS every coordinator gets when an alert is still unacknowledged a day after it was raised. */
export function escalationMessage(
  alert: AlertRecord,
  raisedBy: ContactView,
  language: Language,
  handle: AlertHandle = {},
): string {
  const what = alertSummary(alert, raisedBy, language);
  const phone = carerPhone(raisedBy);
  const ref = handle.ref ?? '';
  return language === 'zh-CN'
    ? `${BRAND}提醒${ref}已超过24小时无人确认：${what}。${phone ? `照顾者电话${phone}。` : ''}请今天联系，回复“收到${ref ? ` ${ref}` : ''}”确认。`
    : `${BRAND}Unacknowledged for 24 h${ref ? `, ${ref}` : ''}: ${what}. ${phone ? `Carer's phone ${phone}. ` : ''}Please get in touch today and reply OK${ref ? ` ${ref}` : ''} to acknowledge.`;
}

/** The carer's phone number (their first SMS address), to call back from the message. */
export function carerPhone(raisedBy: Pick<ContactView, 'addresses'>): string | undefined {
  return raisedBy.addresses.find((a) => a.channel === 'sms')?.address;
}

/** `小红这周很难过` / `Hong has been very sad this week`: the child and what was answered. */
export function alertWhat(alert: AlertRecord, childName: string, language: Language): string {
  const quote = typeof alert.value === 'string' ? [...alert.value].slice(0, QUOTE_LENGTH).join('') : '';
  const more = typeof alert.value === 'string' && [...alert.value].length > QUOTE_LENGTH ? '…' : '';
  if (language === 'zh-CN') {
    const reason =
      alert.reason === 'words'
        ? `的留言需要关注：“${quote}${more}”`
        : (ALERT_REASONS['zh-CN'][alert.itemId] ?? '需要关注');
    return `${childName}${reason}`;
  }
  const reason =
    alert.reason === 'words'
      ? `: a message needs attention: "${quote}${more}"`
      : ` ${ALERT_REASONS.en[alert.itemId] ?? 'needs attention'}`;
  return `${childName}${reason}`;
}

function alertSummary(alert: AlertRecord, raisedBy: ContactView, language: Language): string {
  const child = raisedBy.children.find((c) => c.childId === alert.childId)?.name ?? alert.childId;
  const carer = raisedBy.displayName;
  const what = alertWhat(alert, child, language);
  return language === 'zh-CN' ? `${carer}签到说${what}` : `${carer}'s check-in says ${what}`;
}
