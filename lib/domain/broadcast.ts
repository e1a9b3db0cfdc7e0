// Broadcasts: a Centre's announcement to its carers and parents. Pure rules — who is targeted, what
// each recipient gets, what the preview says it will cost, and which state changes are allowed.
import type { TemplateRefusal } from '#lib/domain/broadcast-template-limits.ts';
import type { FamilyMonthlyCost } from '#lib/domain/family-cost.ts';
import { appendStopHint, composeReply } from '#lib/domain/message-catalog.ts';
import {
  CHILD_CATEGORIES,
  type ChannelAddress,
  type ChildCategory,
  type Language,
} from '#lib/domain/model.ts';
import { segmentsOf } from '#lib/domain/outbound-message.ts';
import {
  isMainlandMobile,
  MAINLAND_PROVIDERS,
  type MainlandProvider,
  renderMainlandSms,
} from '#lib/domain/sms-templates.ts';

export const BROADCAST_ROLES = ['carer', 'parent'] as const;
export type BroadcastRole = (typeof BROADCAST_ROLES)[number];

/**
 * draft → scheduled (approved, for now or a time) → sending (fan-out under way) → sent (every
 * recipient's message handed to delivery). Cancelling is allowed in each of these: no message the
 * send worker has not yet claimed goes out after it (the report tells how many had gone already).
 */
export const BROADCAST_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/** Composed in the API, or by a coordinator's GB message by SMS or WeChat. */
export const BROADCAST_SOURCES = ['api', 'sms', 'wechat'] as const;
export type BroadcastSource = (typeof BROADCAST_SOURCES)[number];

export const CANCELLABLE: readonly BroadcastStatus[] = ['draft', 'scheduled', 'sending', 'sent'];

/** The longest text a coordinator may write (about 7 Chinese SMS segments with the prefix). */
export const MAX_BROADCAST_TEXT = 400;

export interface BroadcastTarget {
  centreIds: string[];
  roles: BroadcastRole[];
  /** Only contacts with a child of one of these categories; empty: every category. */
  categories: ChildCategory[];
  /** Only contacts who read one of these languages; empty: every language with a text. */
  languages: Language[];
}

export type BroadcastTexts = Partial<Record<Language, string>>;

/** A contact as the broadcast planner sees it (kept on the Centre's membership link). */
export interface BroadcastCandidate {
  contactId: string;
  centreId: string;
  role: 'carer' | 'parent' | 'coordinator';
  language: Language;
  optedOut: boolean;
  /** Categories of the children the contact answers for or hears about. */
  categories: ChildCategory[];
  /** Where a message lianxin starts goes (preferred, valid); undefined when none can receive. */
  address: ChannelAddress | undefined;
  /** The contact has addresses, but every one is known not to receive. */
  invalid: boolean;
  quietHours?: { start: string; end: string } | undefined;
}

export interface BroadcastRecipient {
  contactId: string;
  centreId: string;
  language: Language;
  address: ChannelAddress;
  quietHours?: { start: string; end: string } | undefined;
}

export interface Exclusions {
  optedOut: number;
  invalidAddress: number;
  noAddress: number;
  /** Their language has no text in this broadcast. */
  noText: number;
}

export const noExclusions = (): Exclusions => ({ optedOut: 0, invalidAddress: 0, noAddress: 0, noText: 0 });

/** Whether the contact is one the target names at all (before anything is excluded). */
export function isTargeted(c: BroadcastCandidate, target: BroadcastTarget): boolean {
  if (!target.centreIds.includes(c.centreId)) return false;
  if (c.role === 'coordinator' || !target.roles.includes(c.role)) return false;
  if (target.categories.length > 0 && !c.categories.some((k) => target.categories.includes(k))) return false;
  if (target.languages.length > 0 && !target.languages.includes(c.language)) return false;
  return true;
}

/**
 * The recipients among the candidates, and why the others targeted are left out. Opted-out and
 * unreachable contacts are excluded here; the send worker checks both again at send time.
 */
export function selectRecipients(
  candidates: Iterable<BroadcastCandidate>,
  target: BroadcastTarget,
  texts: BroadcastTexts,
  excluded: Exclusions = noExclusions(),
): { recipients: BroadcastRecipient[]; excluded: Exclusions } {
  const recipients: BroadcastRecipient[] = [];
  for (const c of candidates) {
    if (!isTargeted(c, target)) continue;
    if (c.optedOut) excluded.optedOut++;
    else if (!c.address) excluded[c.invalid ? 'invalidAddress' : 'noAddress']++;
    else if (!texts[c.language]) excluded.noText++;
    else {
      recipients.push({
        contactId: c.contactId,
        centreId: c.centreId,
        language: c.language,
        address: c.address,
        quietHours: c.quietHours,
      });
    }
  }
  return { recipients, excluded };
}

/** What a recipient receives: the brand, the Centre's name (who is speaking), the text, how to stop. */
export function broadcastBody(text: string, centreName: string, language: Language): string {
  const from = language === 'zh-CN' ? `${centreName}：` : `${centreName}: `;
  return appendStopHint(composeReply(language, [`${from}${text.trim()}`]), language);
}

/** The idempotency key of one recipient's message: one per broadcast and contact, ever. */
export const broadcastMessageKey = (broadcastId: string, contactId: string): string =>
  `broadcast#${broadcastId}#${contactId}`;

export interface LanguagePreview {
  language: Language;
  recipients: number;
  sms: number;
  wechat: number;
  /** SMS segments per message (the longest Centre name of the target decides). */
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  /** One recipient's message as it will read. */
  sample: string;
}

export interface BroadcastPreview {
  recipients: number;
  excluded: Exclusions;
  languages: LanguagePreview[];
  smsSegments: number;
  /**
   * Recipients per category of the children they care for or hear about; a contact with children in
   * two categories counts in both.
   */
  categories: Record<ChildCategory, number>;
  /**
   * SMS segments × the price of one; WeChat messages cost nothing per message. `upTo`: if every
   * WeChat recipient had to get it by SMS instead (outside WeChat's 48-hour window, with no template).
   */
  estimatedCost: { amount: number; upTo: number; currency: string; perSegment: number };
  /**
   * The +86 mobiles, when a domestic provider carries them (then estimatedCost is the others', by
   * Twilio): billed segments by template (signature included) at the provider's price, and what the
   * same would cost on each domestic provider.
   */
  domestic?: DomesticCost | undefined;
  /** What a family's weekly messages cost a month on each provider (lib/domain/family-cost.ts). */
  costPerFamilyMonth?: FamilyMonthlyCost[] | undefined;
  /** Texts a provider that may carry +86 mobiles cannot carry: such a broadcast cannot be composed. */
  templateRefusals?: TemplateRefusal[] | undefined;
}

export interface DomesticCost {
  provider: MainlandProvider;
  recipients: number;
  segments: number;
  currency: 'CNY';
  perSegment: number;
  amount: number;
  byProvider: { provider: MainlandProvider; perSegment: number; amount: number }[];
}

/** Prices the preview estimates with: Twilio's per segment, and the domestic provider's when one carries +86. */
export interface PreviewPrices {
  perSegment: number;
  currency: string;
  domestic?:
    | { provider: MainlandProvider | 'twilio'; perSegment: Readonly<Record<MainlandProvider, number>> }
    | undefined;
}

/**
 * Counts a preview as recipients come (the planner reads the roster page by page), so that 50,000
 * recipients never have to be held at once.
 */
export class PreviewTally {
  readonly #texts: BroadcastTexts;
  readonly #centreNames: ReadonlyMap<string, string>;
  readonly #perLanguage = new Map<Language, LanguagePreview>();
  readonly #segmentsByBody = new Map<string, { segments: number; encoding: 'GSM-7' | 'UCS-2' }>();
  #smsSegments = 0;
  #wechatSegments = 0;
  readonly #templateSegmentsByBody = new Map<string, number>();
  /** +86 mobiles among the SMS recipients: their segments as Twilio counts and by template. */
  #mainland = { recipients: 0, twilioSegments: 0, templateSegments: 0 };
  #recipients = 0;
  readonly #categories = Object.fromEntries(CHILD_CATEGORIES.map((k) => [k, 0])) as Record<
    ChildCategory,
    number
  >;
  excluded: Exclusions = noExclusions();

  constructor(texts: BroadcastTexts, centreNames: ReadonlyMap<string, string>) {
    this.#texts = texts;
    this.#centreNames = centreNames;
  }

  /** One recipient, with the categories of their children (the candidate's). */
  add(r: BroadcastRecipient, categories: readonly ChildCategory[] = []): void {
    for (const k of new Set(categories)) this.#categories[k]++;
    const text = this.#texts[r.language] ?? '';
    const body = broadcastBody(text, this.#centreNames.get(r.centreId) ?? '', r.language);
    let size = this.#segmentsByBody.get(body);
    if (!size) {
      size = segmentsOf(body);
      this.#segmentsByBody.set(body, size);
    }
    let lang = this.#perLanguage.get(r.language);
    if (!lang) {
      lang = { language: r.language, recipients: 0, sms: 0, wechat: 0, ...size, sample: body };
      this.#perLanguage.set(r.language, lang);
    }
    if (size.segments > lang.segments) Object.assign(lang, size, { sample: body });
    lang.recipients++;
    this.#recipients++;
    if (r.address.channel === 'wechat') {
      lang.wechat++;
      this.#wechatSegments += size.segments;
    } else {
      // Local addresses stand in for SMS on a developer's machine; count them as SMS.
      lang.sms++;
      this.#smsSegments += size.segments;
      if (r.address.channel === 'sms' && isMainlandMobile(r.address.address)) {
        let billed = this.#templateSegmentsByBody.get(body);
        if (billed === undefined) {
          // Billed by the whole message, which is the same however a provider splits it into variables;
          // whether each provider's templates can carry it at all is lib/domain/broadcast-template-limits.ts.
          billed = renderMainlandSms('broadcast', body).segments;
          this.#templateSegmentsByBody.set(body, billed);
        }
        this.#mainland.recipients++;
        this.#mainland.twilioSegments += size.segments;
        this.#mainland.templateSegments += billed;
      }
    }
  }

  result(price: PreviewPrices): BroadcastPreview {
    const provider = price.domestic?.provider;
    const domesticPrices = price.domestic?.perSegment;
    const domestic = provider !== undefined && provider !== 'twilio' && domesticPrices !== undefined;
    // With a domestic provider, +86 mobiles are billed there; Twilio carries the rest.
    const twilioSegments = domestic ? this.#smsSegments - this.#mainland.twilioSegments : this.#smsSegments;
    const segments = this.#mainland.templateSegments;
    return {
      recipients: this.#recipients,
      excluded: { ...this.excluded },
      languages: [...this.#perLanguage.values()].sort((a, b) => a.language.localeCompare(b.language)),
      smsSegments: this.#smsSegments,
      categories: { ...this.#categories },
      estimatedCost: {
        amount: cents(twilioSegments * price.perSegment),
        upTo: cents((twilioSegments + this.#wechatSegments) * price.perSegment),
        currency: price.currency,
        perSegment: price.perSegment,
      },
      ...(domestic
        ? {
            domestic: {
              provider,
              recipients: this.#mainland.recipients,
              segments,
              currency: 'CNY' as const,
              perSegment: domesticPrices[provider],
              amount: cents(segments * domesticPrices[provider]),
              byProvider: MAINLAND_PROVIDERS.map((p) => ({
                provider: p,
                perSegment: domesticPrices[p],
                amount: cents(segments * domesticPrices[p]),
              })),
            },
          }
        : {}),
    };
  }
}

const cents = (amount: number) => Math.round(amount * 100) / 100;

/**
 * The report's groups, from the outbound statuses of the recipients' messages: `suppressed` is the
 * recipient's doing (opted out, or the number stopped working, at send time); `not-sent` is ours
 * (too late after quiet hours or an outage, or the loop guard).
 */
export const REPORT_GROUPS = [
  'queued',
  'sent',
  'delivered',
  'failed',
  'suppressed',
  'not-sent',
  'cancelled',
] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];

export function reportGroupOf(status: string | undefined): ReportGroup {
  switch (status) {
    case undefined:
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
    case 'unknown':
    // A copy went by SMS; the report reads the copy's own status when it can.
    case 'rerouted':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'failed':
    case 'undelivered':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'expired':
    case 'blocked':
      return 'not-sent';
    default:
      return 'suppressed';
  }
}
