// A broadcast checked against the mainland templates of every provider that may carry it (the +86
// provider and its fallback, each with its own variable limit), so that a notice no template holds is
// refused with the reason before anything is written or sent, instead of failing at every +86 phone.
import { type BroadcastTarget, type BroadcastTexts, broadcastBody } from '#lib/domain/broadcast.ts';
import { BROADCAST_SMS_MESSAGES } from '#lib/domain/message-catalog.ts';
import { LANGUAGES, type Language } from '#lib/domain/model.ts';
import {
  charCount,
  MAX_VARIABLE_CHARS,
  type MainlandProvider,
  renderMainlandSms,
  SIGNATURE,
} from '#lib/domain/sms-templates.ts';
import { BroadcastTemplateError, TemplateLimitError } from '#lib/errors.ts';

/** A provider that may carry a broadcast to +86 mobiles, and the longest value one variable takes there. */
export interface TemplateCarrier {
  provider: MainlandProvider;
  maxVariableChars: number;
}

/** What the configuration says about the +86 providers (lib/config/mainland-sms-prices.ts). */
export interface MainlandCarriage {
  provider: MainlandProvider | 'twilio';
  fallback: MainlandProvider | 'none';
  /** Tencent Cloud's variable limit; Alibaba Cloud's is fixed (MAX_VARIABLE_CHARS). */
  tencentMaxVariableChars: number;
}

/** The first provider, then the fallback (none when Twilio carries +86, or the same one twice). */
export function templateCarriers(c: MainlandCarriage): TemplateCarrier[] {
  if (c.provider === 'twilio') return [];
  const providers = [c.provider, ...(c.fallback === 'none' || c.fallback === c.provider ? [] : [c.fallback])];
  return providers.map((provider) => ({
    provider,
    maxVariableChars: provider === 'tencent' ? c.tencentMaxVariableChars : MAX_VARIABLE_CHARS,
  }));
}

/**
 * One text that a provider's templates cannot carry, counted in the coordinator's own characters:
 * `fits` is how many of them a message can hold there with the Centre's name and how to stop added
 * (the longest name of the target decides), `chars` how many the text has.
 */
export interface TemplateRefusal {
  language: Language;
  provider: MainlandProvider;
  maxVariableChars: number;
  fits: number;
  chars: number;
}

/** The texts that would be sent (a language the target leaves out is not). */
function sentTexts(target: Pick<BroadcastTarget, 'languages'>, texts: BroadcastTexts) {
  return LANGUAGES.flatMap((language) => {
    const text = texts[language]?.trim();
    const targeted = target.languages.length === 0 || target.languages.includes(language);
    return text && targeted ? [{ language, text }] : [];
  });
}

/** Every text × provider that no template carries; empty when the broadcast may go. */
export function broadcastTemplateRefusals(
  target: Pick<BroadcastTarget, 'languages'>,
  texts: BroadcastTexts,
  centreNames: Iterable<string>,
  carriers: readonly TemplateCarrier[],
): TemplateRefusal[] {
  const names = [...new Set(centreNames)];
  if (names.length === 0) names.push('');
  const refusals: TemplateRefusal[] = [];
  for (const { language, text } of sentTexts(target, texts)) {
    const chars = charCount(text);
    for (const carrier of carriers) {
      let fits: number | undefined;
      for (const name of names) {
        try {
          renderMainlandSms('broadcast', broadcastBody(text, name, language), carrier.maxVariableChars);
        } catch (error) {
          if (!(error instanceof TemplateLimitError)) throw error;
          // What the Centre's name and the stop hint take: a full stop is added after a text that
          // ends without one, so count it as such, and any shorter text said to fit does.
          const around = charCount(broadcastBody('x', name, language)) - charCount(SIGNATURE) - 1;
          const room = error.maxChars - Math.max(around, error.chars - chars);
          fits = Math.max(0, Math.min(fits ?? room, room));
        }
      }
      if (fits !== undefined)
        refusals.push({
          language,
          provider: carrier.provider,
          maxVariableChars: carrier.maxVariableChars,
          fits,
          chars,
        });
    }
  }
  return refusals;
}

/** The refusals as the coordinator reads them, one sentence each, in their language. */
export function templateRefusalText(refusals: readonly TemplateRefusal[], language: Language): string {
  const say = BROADCAST_SMS_MESSAGES[language].templateTooLong;
  return refusals.map((r) => say(r)).join(language === 'zh-CN' ? '' : ' ');
}

/**
 * Thrown by the compose and approve of a broadcast no template carries (a 400, nothing written). The
 * API does not know the coordinator's language, so the message says it in Chinese, then in English;
 * the GB reply and the console say it in the coordinator's own from `refusals`.
 */
export function broadcastTemplateError(refusals: readonly TemplateRefusal[]): BroadcastTemplateError {
  const text = LANGUAGES.map((l) => templateRefusalText(refusals, l)).join(' ');
  return new BroadcastTemplateError(text, refusals);
}
