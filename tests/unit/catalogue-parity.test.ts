// Every text lianxin says exists in every language: a key (or a flow step's text, or a hint) that
// one language has and another lacks fails here. The keys come from the catalogues themselves (the
// union over languages), so a key added to one language only is caught without a list kept here.
import { describe, expect, it } from 'vitest';
import { ALERT_REASONS } from '#lib/domain/alert-message.ts';
import { COORDINATOR_TEXT_MESSAGES } from '#lib/domain/coordinator-messages.ts';
import type { Flow } from '#lib/domain/flow-schema.ts';
import { BROADCAST_SMS_MESSAGES, MESSAGES } from '#lib/domain/message-catalog.ts';
import { LANGUAGES, type Language } from '#lib/domain/model.ts';
import { DIGEST_PHRASES } from '#lib/domain/parent-digest.ts';
import { parentWeeklyFlow } from '#lib/domain/parent-weekly-flow.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { PARENT_REPLIES } from '#lib/domain/weekly-messages.ts';

type Catalogue = Readonly<Record<Language, object>>;

const CATALOGUES: Record<string, Catalogue> = {
  MESSAGES,
  BROADCAST_SMS_MESSAGES,
  COORDINATOR_TEXT_MESSAGES,
  PARENT_REPLIES,
  ALERT_REASONS,
  DIGEST_PHRASES,
};

/** Each key path of a language's entries, with the kind of value (a text or a function: one language may leave an argument unused). */
function shape(entry: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(entry)) {
    const path = `${prefix}${key}`;
    if (typeof value === 'function') out.set(path, 'function');
    else if (typeof value === 'string') out.set(path, value.trim() === '' ? 'empty text' : 'text');
    else if (value && typeof value === 'object') for (const [p, k] of shape(value, `${path}.`)) out.set(p, k);
    else out.set(path, typeof value);
  }
  return out;
}

/** What differs between the languages of one catalogue: keys missing in one, or of another kind. */
function differences(catalogue: Catalogue): string[] {
  const shapes = LANGUAGES.map((language) => [language, shape(catalogue[language])] as const);
  const paths = new Set(shapes.flatMap(([, s]) => [...s.keys()]));
  const problems: string[] = [];
  for (const path of paths) {
    const kinds = shapes.map(([language, s]) => `${language}: ${s.get(path) ?? 'missing'}`);
    if (new Set(shapes.map(([, s]) => s.get(path))).size > 1 || kinds.some((k) => k.endsWith('empty text')))
      problems.push(`${path} (${kinds.join(', ')})`);
  }
  return problems;
}

describe('the message catalogues', () => {
  it.each(Object.keys(CATALOGUES))('%s has every key in every language, of the same kind', (name) => {
    const catalogue = CATALOGUES[name];
    if (!catalogue) throw new Error(name);
    expect(differences(catalogue)).toEqual([]);
  });

  it('catches a key that one language has and another lacks (the check itself can fail)', () => {
    const lopsided = { 'zh-CN': { a: '甲', b: (x: string) => x }, en: { a: 'A' } } as unknown as Catalogue;
    expect(differences(lopsided)).toEqual(['b (zh-CN: function, en: missing)']);
    const empty = { 'zh-CN': { a: '甲' }, en: { a: ' ' } } as unknown as Catalogue;
    expect(differences(empty)).toEqual(['a (zh-CN: text, en: empty text)']);
  });
});

describe('the flows', () => {
  it.each<[string, Flow]>([
    ['weekly check-in', weeklyCheckinFlow],
    ['parent weekly', parentWeeklyFlow],
  ])('%s: every step says its text (and hint) in every language', (_, flow) => {
    for (const step of flow.steps) {
      for (const language of LANGUAGES) {
        expect(step.text[language]?.trim(), `${flow.id}/${step.id} text in ${language}`).toBeTruthy();
        if (step.hint)
          expect(step.hint[language]?.trim(), `${flow.id}/${step.id} hint in ${language}`).toBeTruthy();
      }
    }
  });
});

describe('who reads what, said honestly', () => {
  it.each(LANGUAGES)(
    '%s: the free-text question says the Centre reads it and parents get a summary',
    (language) => {
      const last = weeklyCheckinFlow.steps[weeklyCheckinFlow.steps.length - 1];
      expect(last?.answer.type).toBe('text');
      const text = last?.text[language] ?? '';
      expect(text).toMatch(language === 'zh-CN' ? /只有老师看得到/ : /Only they read it/);
      expect(text).toMatch(language === 'zh-CN' ? /家长每周收到.*摘要/ : /parents get a weekly summary/);
    },
  );
});
