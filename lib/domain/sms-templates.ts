// The mainland SMS templates: carriers deliver application SMS only under a registered signature and a
// pre-approved template, so every message lianxin sends to a +86 number is rendered through one of
// these. Pure: the provider codes that approval assigns come from configuration (lib/config/mainland-sms.ts).
import { BRAND } from '#lib/domain/message-catalog.ts';
import type { Language } from '#lib/domain/model.ts';
import { oneMessageQuestion } from '#lib/domain/one-message-checkin.ts';
import type { OutboundKind } from '#lib/domain/outbound-message.ts';
import { TemplateLimitError, ValidationError } from '#lib/errors.ts';

export const MAINLAND_PROVIDERS = ['aliyun', 'tencent'] as const;
export type MainlandProvider = (typeof MAINLAND_PROVIDERS)[number];

/** The signature the provider puts first; it counts toward the message's length. */
export const SIGNATURE = BRAND;
/** One message holds 70 characters (signature included); a longer one is billed per 67. */
export const SINGLE_SEGMENT_CHARS = 70;
export const MULTI_SEGMENT_CHARS = 67;
/** The providers refuse anything longer (signature, fixed text and variables together). */
export const MAX_MESSAGE_CHARS = 500;
/**
 * The longest value one variable of a notification template may carry on Alibaba Cloud (35 for a
 * notification's variable). Tencent Cloud limits each variable by its type, and its "other" type far
 * tighter (see TENCENT_SMS_MAX_VARIABLE_CHARS): each provider renders with its own limit, so a message
 * that fails over is split again for the second provider, or refused there with the reason.
 */
export const MAX_VARIABLE_CHARS = 35;

/**
 * A family of templates: what the fixed text says (so the reviewer sees the purpose; a template that
 * is only variables is refused), for which kinds, and the variable counts registered. A body is cut
 * into the fewest variables that hold it; no variable may be empty, which is why a family has
 * several sizes instead of one large template.
 */
interface TemplateFamily {
  family: string;
  kinds: readonly OutboundKind[];
  /** Fixed text after the variables, per language. */
  suffix: Readonly<Record<Language, string>>;
  sizes: readonly number[];
  /** What the console's "application description" field asks for. */
  purpose: string;
  /**
   * The fixed text is a whole question the message ends with (the one-message check-in): the
   * family carries only messages that end with it, and nothing is added after.
   */
  fixedEnding?: boolean;
}

const FAMILIES: readonly TemplateFamily[] = [
  {
    family: 'REPLY',
    kinds: ['reply', 'acknowledgement'],
    suffix: { 'zh-CN': '（短信回复）', en: ' (reply)' },
    sizes: [1, 2, 4, 8],
    purpose: "Replies to a carer's or parent's own SMS during the weekly check-in (questions, thanks, help)",
  },
  {
    family: 'CHECKIN',
    kinds: ['invitation', 'reminder', 'nudge'],
    suffix: { 'zh-CN': '（每周签到）', en: ' (weekly check-in)' },
    sizes: [1, 2, 4, 8],
    purpose: "The weekly check-in invitation and reminders to a child's carer",
  },
  {
    family: 'DIGEST',
    kinds: ['digest'],
    suffix: { 'zh-CN': '（孩子本周情况）', en: ' (weekly update)' },
    sizes: [1, 2, 4, 9],
    purpose: 'The weekly news of their child to a parent working away from home',
  },
  {
    family: 'ALERT',
    kinds: ['alert', 'task'],
    suffix: { 'zh-CN': '（儿童之家提醒）', en: ' (Centre alert)' },
    sizes: [1, 2, 4, 8],
    purpose: "Alerts and tasks to a Children's Centre coordinator about a child",
  },
  {
    family: 'NOTICE',
    kinds: ['broadcast'],
    suffix: { 'zh-CN': '（儿童之家通知）', en: ' (Centre notice)' },
    sizes: [1, 2, 4, 8, 13],
    purpose: "A Children's Centre's notice to its families (closures, activities), sent by its coordinator",
  },
  {
    family: 'ONEMSG',
    kinds: ['invitation', 'reminder', 'reply'],
    // The question as the engine says it last; in English after a space (sentences are spaced).
    suffix: { 'zh-CN': oneMessageQuestion('zh-CN'), en: ` ${oneMessageQuestion('en')}` },
    sizes: [1, 2, 4],
    purpose:
      'The weekly check-in in one message, for carers who chose it: every numbered question about a child, answered with one row of digits',
    fixedEnding: true,
  },
];

export interface SmsTemplate {
  /** Our name for it; configuration maps it to each provider's code. */
  id: string;
  family: string;
  kinds: readonly OutboundKind[];
  language: Language;
  /** Variable names in order: c1, c2, … */
  variables: readonly string[];
  /** The content as registered, with ${c1} style variables (the signature is separate). */
  text: string;
  suffix: string;
  purpose: string;
  /** The suffix is a question the composed message itself ends with (see TemplateFamily). */
  fixedEnding: boolean;
}

const LANGUAGE_TAG: Record<Language, string> = { 'zh-CN': 'ZH', en: 'EN' };

/** Every template lianxin needs registered, on each provider. */
export const SMS_TEMPLATES: readonly SmsTemplate[] = FAMILIES.flatMap((f) =>
  (['zh-CN', 'en'] as const).flatMap((language) =>
    f.sizes.map((size) => {
      const variables = Array.from({ length: size }, (_, i) => `c${i + 1}`);
      const suffix = f.suffix[language];
      return {
        id: `LX_${f.family}_${LANGUAGE_TAG[language]}_${size}`,
        family: f.family,
        kinds: f.kinds,
        language,
        variables,
        text: `${variables.map((v) => `\${${v}}`).join('')}${suffix}`,
        suffix,
        purpose: f.purpose,
        fixedEnding: f.fixedEnding === true,
      };
    }),
  ),
);

/** Characters as the providers count them (a CJK character or a letter is one; so is an emoji). */
export const charCount = (text: string): number => [...text].length;

/** Segments billed for a message of this many characters (signature included). */
export function billedSegments(chars: number): number {
  return chars <= SINGLE_SEGMENT_CHARS ? 1 : Math.ceil(chars / MULTI_SEGMENT_CHARS);
}

export interface RenderedSms {
  template: SmsTemplate;
  /** The variables, as TemplateParam takes them. */
  params: Record<string, string>;
  /** Exactly what the phone shows: the signature, then the template with its variables filled. */
  text: string;
  chars: number;
  segments: number;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;

/** The body lianxin composed (it begins with the brand, which is the signature here) without it. */
function contentOf(body: string): string {
  const trimmed = body.trim();
  return trimmed.startsWith(SIGNATURE) ? trimmed.slice(SIGNATURE.length).trim() : trimmed;
}

/** `text` cut into `count` non-empty pieces of at most the variable limit, on character boundaries. */
function split(text: string, count: number): string[] {
  const chars = [...text];
  const size = Math.ceil(chars.length / count);
  return Array.from({ length: count }, (_, i) => chars.slice(i * size, (i + 1) * size).join(''));
}

/**
 * The template a message of this kind goes by to a mainland number, and its variables. Throws a
 * ValidationError that says why when no registered template can carry it (too long, or empty):
 * nothing is sent then.
 */
export function renderMainlandSms(
  kind: OutboundKind,
  body: string,
  /** The provider's longest variable value (Alibaba Cloud's by default). */
  maxVariableChars: number = MAX_VARIABLE_CHARS,
): RenderedSms {
  const content = contentOf(body);
  const length = charCount(content);
  if (length === 0) throw new ValidationError('an empty message cannot be sent by template');
  const language: Language = CJK.test(content) ? 'zh-CN' : 'en';
  // A message ending with a registered question goes by that template, its head in the variables
  // (whatever the head's script: an English message may name a child 小明).
  const ending = SMS_TEMPLATES.find(
    (t) =>
      t.fixedEnding &&
      t.kinds.includes(kind) &&
      content.endsWith(t.suffix) &&
      content.length > t.suffix.length,
  )?.suffix;
  const variable = ending === undefined ? content : content.slice(0, content.length - ending.length);
  const variableLength = charCount(variable);
  const candidates = SMS_TEMPLATES.filter((t) =>
    !t.kinds.includes(kind)
      ? false
      : ending === undefined
        ? !t.fixedEnding && t.language === language
        : t.suffix === ending,
  );
  const template = candidates.find((t) => t.variables.length * maxVariableChars >= variableLength);
  if (!template) {
    const most = Math.max(0, ...candidates.map((t) => t.variables.length)) * maxVariableChars;
    throw new TemplateLimitError(
      `a ${kind} message of ${variableLength} characters does not fit a mainland SMS template (at most ${most})`,
      'variables',
      variableLength,
      most,
    );
  }
  const values = split(variable, template.variables.length);
  const params = Object.fromEntries(template.variables.map((v, i) => [v, values[i] ?? '']));
  const text = `${SIGNATURE}${values.join('')}${template.suffix}`;
  const chars = charCount(text);
  if (chars > MAX_MESSAGE_CHARS) {
    throw new TemplateLimitError(
      `a ${kind} message would be ${chars} characters by template, more than the ${MAX_MESSAGE_CHARS} allowed`,
      'message',
      chars,
      MAX_MESSAGE_CHARS,
    );
  }
  return { template, params, text, chars, segments: billedSegments(chars) };
}

/** Undefined when the message can go by template; else the reason it cannot (for a preview). */
export function mainlandSmsRefusal(
  kind: OutboundKind,
  body: string,
  maxVariableChars: number = MAX_VARIABLE_CHARS,
): string | undefined {
  try {
    renderMainlandSms(kind, body, maxVariableChars);
    return undefined;
  } catch (error) {
    return error instanceof ValidationError ? error.message : String(error);
  }
}

/** A mainland mobile number in E.164: +86 and 11 digits starting 1[3-9]. */
export const MAINLAND_MOBILE = /^\+861[3-9]\d{9}$/;
export const isMainlandMobile = (address: string): boolean => MAINLAND_MOBILE.test(address);

/**
 * A template's content as each provider's console takes it: Alibaba Cloud names its variables
 * (${c1}), Tencent Cloud numbers them ({1}); either way in the catalogue's order.
 */
export function providerTemplateText(
  template: Pick<SmsTemplate, 'text'>,
  provider: MainlandProvider,
): string {
  return provider === 'tencent' ? template.text.replace(/\$\{c(\d+)\}/g, '{$1}') : template.text;
}
