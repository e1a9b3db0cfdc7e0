import { BRAND } from '#lib/domain/message-catalog.ts';
import type { AlertRecord, ContactView, Language } from '#lib/domain/model.ts';
import { WEEKLY_CHECKIN_ITEMS } from '#lib/domain/weekly-checkin-flow.ts';

// What made the answer concerning, in words a coordinator reads at a glance.
const REASONS: Record<Language, Record<string, string>> = {
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

/** The SMS a coordinator gets when a check-in answer raises an alert. */
export function alertMessage(alert: AlertRecord, raisedBy: ContactView, language: Language): string {
  const what = alertSummary(alert, raisedBy, language);
  return language === 'zh-CN'
    ? `${BRAND}关注提醒：${what}。请尽快联系。`
    : `${BRAND}Alert: ${what}. Please get in touch soon.`;
}

/** The SMS every coordinator gets when an alert is still unacknowledged a day after it was raised. */
export function escalationMessage(alert: AlertRecord, raisedBy: ContactView, language: Language): string {
  const what = alertSummary(alert, raisedBy, language);
  return language === 'zh-CN'
    ? `${BRAND}提醒已超过24小时无人确认：${what}。请今天联系，并在系统中确认。`
    : `${BRAND}Unacknowledged for 24 h: ${what}. Please get in touch today and acknowledge it.`;
}

function alertSummary(alert: AlertRecord, raisedBy: ContactView, language: Language): string {
  const child = raisedBy.children.find((c) => c.childId === alert.childId)?.name ?? alert.childId;
  const carer = raisedBy.displayName;
  const quote = typeof alert.value === 'string' ? [...alert.value].slice(0, QUOTE_LENGTH).join('') : '';
  const more = typeof alert.value === 'string' && [...alert.value].length > QUOTE_LENGTH ? '…' : '';
  if (language === 'zh-CN') {
    const reason =
      alert.reason === 'words'
        ? `的留言需要关注：“${quote}${more}”`
        : (REASONS['zh-CN'][alert.itemId] ?? '需要关注');
    return `${carer}签到说${child}${reason}`;
  }
  const reason =
    alert.reason === 'words'
      ? `: a message needs attention: "${quote}${more}"`
      : ` ${REASONS.en[alert.itemId] ?? 'needs attention'}`;
  return `${carer}'s check-in says ${child}${reason}`;
}
