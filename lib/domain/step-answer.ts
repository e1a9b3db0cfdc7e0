import { compactInput, normaliseInput, parseNumber, parseYesNo } from '#lib/domain/answer-parsing.ts';
import type { AnswerSpec, FlowStep } from '#lib/domain/flow-schema.ts';
import type { AnswerValue } from '#lib/domain/model.ts';

/** What is kept of a message that is not free text (an invalid answer): enough to read, bounded. */
export const MAX_RAW_LENGTH = 500;

/** What one message means as the answer to one step. */
export type StepAnswer =
  | { kind: 'answered'; value: AnswerValue; raw: string; truncated: boolean; harmWords: string[] }
  | { kind: 'skipped'; raw: string; truncated: boolean }
  | { kind: 'invalid'; raw: string; truncated: boolean; harmWords: string[] };

// Cut by code point, so that an emoji or a rare character is never split in half.
function cut(text: string, max: number): { raw: string; truncated: boolean } {
  const chars = Array.from(text);
  return chars.length > max
    ? { raw: chars.slice(0, max).join(''), truncated: true }
    : { raw: text, truncated: false };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The alert words found in a message, in any of the lists' languages. Latin words match as whole
 * words ('hit' not in 'white'); Chinese ones anywhere, ignoring spaces ('被 打' is '被打').
 */
export function findHarmWords(text: string, lists: Record<string, readonly string[]> | undefined): string[] {
  if (lists === undefined) return [];
  const latin = normaliseInput(text);
  const compact = compactInput(text);
  const found = new Set<string>();
  for (const word of Object.values(lists).flat()) {
    const key = normaliseInput(word);
    const hit = /^[\x20-\x7e]+$/.test(key)
      ? new RegExp(`(?<![a-z0-9])${escapeRegExp(key)}(?![a-z0-9])`).test(latin)
      : compact.includes(key.replace(/\s+/g, ''));
    if (hit) found.add(word);
  }
  return [...found];
}

function parseForStep(spec: Exclude<AnswerSpec, { type: 'text' }>, text: string): AnswerValue | undefined {
  switch (spec.type) {
    case 'number': {
      const n = parseNumber(text);
      return n !== undefined && n >= spec.min && n <= spec.max ? n : undefined;
    }
    case 'choice': {
      const key = compactInput(text);
      const byAlias = spec.options.find((o) => o.aliases?.some((a) => compactInput(a) === key));
      if (byAlias !== undefined) return byAlias.value;
      const n = parseNumber(text);
      return spec.options.find((o) => o.value === n)?.value;
    }
    case 'yesno':
      return parseYesNo(text);
  }
}

/** Reads a message as the answer to a step. Pure: the same text always reads the same way. */
export function readAnswer(step: FlowStep, text: string): StepAnswer {
  const trimmed = text.trim();
  const spec = step.answer;
  if (spec.type === 'text') {
    const { raw, truncated } = cut(trimmed, spec.maxLength);
    const key = compactInput(text);
    if (key !== '' && spec.skipWords.some((w) => compactInput(w) === key)) {
      return { kind: 'skipped', raw, truncated };
    }
    // Harm is looked for in the whole message, not only the part that is kept.
    const harmWords = findHarmWords(trimmed, step.alertWords);
    if (normaliseInput(trimmed) === '') return { kind: 'invalid', raw, truncated, harmWords };
    return { kind: 'answered', value: raw, raw, truncated, harmWords };
  }
  const { raw, truncated } = cut(trimmed, MAX_RAW_LENGTH);
  const value = parseForStep(spec, trimmed);
  if (value === undefined) {
    return { kind: 'invalid', raw, truncated, harmWords: findHarmWords(trimmed, step.alertWords) };
  }
  // A valid number or choice carries no words to look into.
  return { kind: 'answered', value, raw, truncated, harmWords: [] };
}

/** Whether an answered value is one the step raises an alert for. */
export function alertsOnValue(step: FlowStep, value: AnswerValue): boolean {
  return step.alertWhen?.some((v) => v === value) ?? false;
}
