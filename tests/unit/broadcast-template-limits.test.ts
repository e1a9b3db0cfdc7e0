// A broadcast checked against every +86 provider's templates. The limits here are worked out from
// the template catalogue (the most variables a notice template has × the provider's variable limit),
// the signature and the text lianxin adds around the coordinator's (the Centre's name, how to stop),
// not from the check under test.
import { describe, expect, it } from 'vitest';
import { mainlandTemplateCarriers } from '#lib/config/mainland-sms-prices.ts';
import { broadcastBody } from '#lib/domain/broadcast.ts';
import {
  broadcastTemplateError,
  broadcastTemplateRefusals,
  type TemplateCarrier,
  templateCarriers,
  templateRefusalText,
} from '#lib/domain/broadcast-template-limits.ts';
import type { Language } from '#lib/domain/model.ts';
import { charCount, renderMainlandSms, SIGNATURE, SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { ValidationError } from '#lib/errors.ts';

const SHORT_NAME = '大坪村儿童之家';
const LONG_NAME = '湖南省邵阳市隆回县大坪村儿童之家';
const everyLanguage = { languages: [] };

/** The most characters a notice's variables hold at this limit, from the catalogue. */
function capacity(limit: number): number {
  const notices = SMS_TEMPLATES.filter((t) => t.kinds.includes('broadcast'));
  return Math.max(...notices.map((t) => t.variables.length)) * limit;
}

/** What lianxin adds around the coordinator's text in the variables (the signature is not in them). */
function added(centreName: string, language: Language): number {
  const body = broadcastBody('x', centreName, language);
  return charCount(body) - charCount(SIGNATURE) - 1;
}

const expectedFits = (limit: number, name: string, language: Language) =>
  capacity(limit) - added(name, language);

const letter = (language: Language) => (language === 'zh-CN' ? '通' : 'a');

describe('a broadcast against each provider that may carry it', () => {
  for (const [provider, limit] of [
    ['tencent', 12],
    ['tencent', 6],
    ['tencent', 20],
    ['aliyun', 35],
  ] as const) {
    for (const language of ['zh-CN', 'en'] as const) {
      it(`${provider} at ${limit} per variable, ${language}: the longest text that fits goes, one more character is refused`, () => {
        const carriers: TemplateCarrier[] = [{ provider, maxVariableChars: limit }];
        const fits = expectedFits(limit, SHORT_NAME, language);
        expect(fits).toBeGreaterThan(0);
        const exact = letter(language).repeat(fits);
        expect(
          broadcastTemplateRefusals(everyLanguage, { [language]: exact }, [SHORT_NAME], carriers),
        ).toEqual([]);
        // The message that does go: every variable within the limit, the phone's text whole.
        const rendered = renderMainlandSms('broadcast', broadcastBody(exact, SHORT_NAME, language), limit);
        for (const value of Object.values(rendered.params))
          expect(charCount(value)).toBeLessThanOrEqual(limit);
        expect(rendered.text).toBe(
          `${SIGNATURE}${broadcastBody(exact, SHORT_NAME, language).slice(SIGNATURE.length)}${rendered.template.suffix}`,
        );

        const over = letter(language).repeat(fits + 1);
        expect(
          broadcastTemplateRefusals(everyLanguage, { [language]: over }, [SHORT_NAME], carriers),
        ).toEqual([{ language, provider, maxVariableChars: limit, fits, chars: fits + 1 }]);
      });
    }
  }

  it('says the same number fits whether the text ends with a full stop or not, and any text that long goes', () => {
    const carriers: TemplateCarrier[] = [{ provider: 'tencent', maxVariableChars: 12 }];
    const room = expectedFits(12, SHORT_NAME, 'zh-CN');
    const sentence = '周六有活动。';
    const long = sentence.repeat(Math.ceil((room + 10) / charCount(sentence)));
    const [refusal] = broadcastTemplateRefusals(everyLanguage, { 'zh-CN': long }, [SHORT_NAME], carriers);
    expect(refusal?.fits).toBe(room);
    for (const cut of [room, room - 1, room - 2, room - 5])
      expect(
        broadcastTemplateRefusals(
          everyLanguage,
          { 'zh-CN': [...long].slice(0, cut).join('') },
          [SHORT_NAME],
          carriers,
        ),
      ).toEqual([]);
  });

  it('the longest Centre name of the target decides', () => {
    const carriers: TemplateCarrier[] = [{ provider: 'tencent', maxVariableChars: 12 }];
    const fitsShort = expectedFits(12, SHORT_NAME, 'zh-CN');
    const fitsLong = expectedFits(12, LONG_NAME, 'zh-CN');
    expect(fitsLong).toBeLessThan(fitsShort);
    const text = '通'.repeat(fitsShort);
    expect(broadcastTemplateRefusals(everyLanguage, { 'zh-CN': text }, [SHORT_NAME], carriers)).toEqual([]);
    expect(
      broadcastTemplateRefusals(everyLanguage, { 'zh-CN': text }, [SHORT_NAME, LONG_NAME], carriers),
    ).toEqual([
      { language: 'zh-CN', provider: 'tencent', maxVariableChars: 12, fits: fitsLong, chars: fitsShort },
    ]);
  });

  it('checks the first provider and the fallback, each with its own limit, and only the texts that are sent', () => {
    const carriers = templateCarriers({
      provider: 'aliyun',
      fallback: 'tencent',
      tencentMaxVariableChars: 12,
    });
    const zh = '通'.repeat(expectedFits(12, SHORT_NAME, 'zh-CN') + 5);
    const en = 'a'.repeat(expectedFits(12, SHORT_NAME, 'en') + 1);
    const refusals = broadcastTemplateRefusals(everyLanguage, { 'zh-CN': zh, en }, [SHORT_NAME], carriers);
    expect(refusals.map((r) => [r.language, r.provider])).toEqual([
      ['zh-CN', 'tencent'],
      ['en', 'tencent'],
    ]);
    // A language the target leaves out is not sent, so not checked.
    expect(
      broadcastTemplateRefusals({ languages: ['en'] }, { 'zh-CN': zh, en: 'Hello' }, [SHORT_NAME], carriers),
    ).toEqual([]);
  });

  it('says which provider, how many characters fit and how many the text has, in the coordinator’s language', () => {
    const refusal = {
      language: 'zh-CN',
      provider: 'tencent',
      maxVariableChars: 12,
      fits: 141,
      chars: 200,
    } as const;
    const zh = templateRefusalText([refusal], 'zh-CN');
    expect(zh).toContain('腾讯云');
    expect(zh).toContain('141字');
    expect(zh).toContain('200字');
    const en = templateRefusalText([refusal], 'en');
    expect(en).toContain('Tencent Cloud');
    expect(en).toMatch(/141 characters fit; it has 200/);
    const error = broadcastTemplateError([refusal]);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(zh);
    expect(error.message).toContain(en);
  });
});

describe('the providers that may carry +86 mobiles', () => {
  it('are the first provider and a different fallback; none when Twilio carries them', () => {
    expect(templateCarriers({ provider: 'tencent', fallback: 'none', tencentMaxVariableChars: 12 })).toEqual([
      { provider: 'tencent', maxVariableChars: 12 },
    ]);
    expect(
      templateCarriers({ provider: 'tencent', fallback: 'tencent', tencentMaxVariableChars: 8 }),
    ).toEqual([{ provider: 'tencent', maxVariableChars: 8 }]);
    expect(
      templateCarriers({ provider: 'twilio', fallback: 'tencent', tencentMaxVariableChars: 12 }),
    ).toEqual([]);
  });

  it('come from the configuration, Tencent’s limit from TENCENT_SMS_MAX_VARIABLE_CHARS', () => {
    const local = { LIANXIN_ENV: 'local' } as const;
    expect(
      mainlandTemplateCarriers(local, {
        SMS_PROVIDER: 'aliyun',
        SMS_FALLBACK_PROVIDER: 'tencent',
        TENCENT_SMS_MAX_VARIABLE_CHARS: '20',
      }),
    ).toEqual([
      { provider: 'aliyun', maxVariableChars: 35 },
      { provider: 'tencent', maxVariableChars: 20 },
    ]);
    expect(mainlandTemplateCarriers(local, { SMS_PROVIDER: 'tencent' })).toEqual([
      { provider: 'tencent', maxVariableChars: 12 },
    ]);
    expect(() => mainlandTemplateCarriers(local, { TENCENT_SMS_MAX_VARIABLE_CHARS: '3' })).toThrow(
      /TENCENT_SMS_MAX_VARIABLE_CHARS/,
    );
  });
});
