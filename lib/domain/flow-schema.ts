import { compactInput, parseNumber } from '#lib/domain/answer-parsing.ts';
import type { AnswerValue, Language } from '#lib/domain/model.ts';
import { LianxinError } from '#lib/errors.ts';
import * as z from '#lib/zod.ts';

/** A flow definition that does not hold together: a programming error, raised at module load. */
export class FlowDefinitionError extends LianxinError {
  override readonly name: string = 'FlowDefinitionError';
}

/** A `goto` target that ends the flow (for the current child) instead of naming a step. */
export const END_OF_FLOW = '$end';

const PLACEHOLDER = /\{(\w+)\}/g;

// Strict objects throughout: a misspelt key ('alertwhen') must fail, not be silently ignored.
const localisedText = z.lazy(() =>
  z.strictObject({
    'zh-CN': z.string().check(z.trim(), z.minLength(1)),
    en: z.string().check(z.trim(), z.minLength(1)),
  }),
);
const words = z.lazy(() => z.array(z.string().check(z.trim(), z.minLength(1))));
const localisedWords = z.lazy(() => z.strictObject({ 'zh-CN': words, en: words }));
const identifier = z.lazy(() =>
  z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and -')),
);

export const answerSpecSchema = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('number'),
      min: z.int().check(z.gte(0)),
      max: z.int(),
    }),
    z.strictObject({
      type: z.literal('choice'),
      options: z
        .array(
          z.strictObject({
            value: z.int().check(z.gte(0)),
            /** Other ways to say this option, e.g. 是/yes for "1 yes". */
            aliases: z.optional(words),
          }),
        )
        .check(z.minLength(2)),
    }),
    z.strictObject({ type: z.literal('yesno') }),
    z.strictObject({
      type: z.literal('text'),
      /** Longer answers are cut here and marked truncated. */
      maxLength: z.int().check(z.gte(1), z.lte(2000)),
      /** Whole-message answers that mean "nothing to say": the item is recorded as skipped. */
      skipWords: z._default(words, []),
    }),
  ]),
);

const branchValue = z.lazy(() => z.union([z.number(), z.boolean()]));

export const flowStepSchema = z.lazy(() =>
  z.strictObject({
    id: identifier,
    /** The question; `{child}` is replaced by the child's name, `{children}` by all of them. */
    text: localisedText,
    answer: answerSpecSchema,
    /** Said before the question again when an answer was not understood; default from the catalog. */
    hint: z.optional(localisedText),
    /** Answer values that raise an alert to the Centre's coordinators. */
    alertWhen: z.optional(z.array(branchValue)),
    /**
     * Words of harm that raise an alert. Checked in every language whatever the contact's language;
     * on a text step in the answer, on other steps in any message that is not a valid answer.
     */
    alertWords: z.optional(localisedWords),
    /** Branches on the answer value; without a match the flow goes to the following step. */
    next: z.optional(z.array(z.strictObject({ when: branchValue, goto: z.string() }))),
    /** Re-prompts before an answer is recorded as unanswered and the flow moves on. */
    maxReprompts: z._default(z.int().check(z.gte(0), z.lte(5)), 2),
  }),
);

export const flowSchema = z.lazy(() =>
  z
    .strictObject({
      id: identifier,
      version: z.int().check(z.gte(1)),
      /** true: the steps are asked about each of the contact's children in turn. */
      perChild: z.boolean(),
      steps: z.array(flowStepSchema).check(z.minLength(1)),
    })
    .check(
      z.superRefine((flow, ctx) => {
        for (const issue of crossReferenceIssues(flow)) ctx.addIssue({ code: 'custom', ...issue });
      }),
    ),
);

export type Flow = z.infer<typeof flowSchema>;
/** A flow as written (defaults not yet applied). */
export type FlowInput = z.input<typeof flowSchema>;
export type FlowStep = Flow['steps'][number];
export type AnswerSpec = z.infer<typeof answerSpecSchema>;
export type LocalisedText = z.infer<typeof localisedText>;

interface Issue {
  path: (string | number)[];
  message: string;
}

/** Whether `value` is an answer this step can produce. */
export function isPossibleValue(spec: AnswerSpec, value: AnswerValue): boolean {
  switch (spec.type) {
    case 'number':
      return typeof value === 'number' && Number.isInteger(value) && value >= spec.min && value <= spec.max;
    case 'choice':
      return spec.options.some((o) => o.value === value);
    case 'yesno':
      return typeof value === 'boolean';
    case 'text':
      return false;
  }
}

function crossReferenceIssues(flow: Flow): Issue[] {
  const issues: Issue[] = [];
  const indexOf = new Map<string, number>();
  flow.steps.forEach((step, i) => {
    if (indexOf.has(step.id))
      issues.push({ path: ['steps', i, 'id'], message: `duplicate step id "${step.id}"` });
    else indexOf.set(step.id, i);
  });

  flow.steps.forEach((step, i) => {
    const at = (...rest: (string | number)[]) => ['steps', i, ...rest];
    const spec = step.answer;

    if (spec.type === 'number' && spec.min > spec.max) {
      issues.push({ path: at('answer'), message: `min ${spec.min} is above max ${spec.max}` });
    }
    if (spec.type === 'choice') issues.push(...choiceIssues(spec, at));

    for (const lang of ['zh-CN', 'en'] as const) {
      for (const [, name] of step.text[lang].matchAll(PLACEHOLDER)) {
        if (name !== 'child' && name !== 'children')
          issues.push({ path: at('text', lang), message: `unknown placeholder {${name}}` });
        else if (name === 'child' && !flow.perChild) {
          issues.push({ path: at('text', lang), message: '{child} needs a perChild flow' });
        } else if (name === 'children' && flow.perChild) {
          // Asked about one child at a time: {child} names them.
          issues.push({ path: at('text', lang), message: '{children} needs a flow asked once' });
        }
      }
    }

    step.alertWhen?.forEach((value, j) => {
      if (!isPossibleValue(spec, value)) {
        issues.push({ path: at('alertWhen', j), message: `${value} is not a possible answer` });
      }
    });

    const seen = new Set<AnswerValue>();
    step.next?.forEach((branch, j) => {
      if (!isPossibleValue(spec, branch.when)) {
        issues.push({ path: at('next', j, 'when'), message: `${branch.when} is not a possible answer` });
      }
      if (seen.has(branch.when)) issues.push({ path: at('next', j, 'when'), message: 'duplicate branch' });
      seen.add(branch.when);
      if (branch.goto === END_OF_FLOW) return;
      const target = indexOf.get(branch.goto);
      if (target === undefined) {
        issues.push({ path: at('next', j, 'goto'), message: `unknown step "${branch.goto}"` });
      } else if (target <= i) {
        // Forward only: a flow can then never loop, so no conversation can get stuck in one.
        issues.push({ path: at('next', j, 'goto'), message: `"${branch.goto}" is not after "${step.id}"` });
      }
    });
  });
  return issues;
}

function choiceIssues(
  spec: Extract<AnswerSpec, { type: 'choice' }>,
  at: (...rest: (string | number)[]) => (string | number)[],
): Issue[] {
  const issues: Issue[] = [];
  const values = new Set<number>();
  const aliasOwner = new Map<string, number>();
  spec.options.forEach((option, j) => {
    if (values.has(option.value))
      issues.push({ path: at('answer', 'options', j), message: 'duplicate value' });
    values.add(option.value);
    option.aliases?.forEach((alias, k) => {
      const key = compactInput(alias);
      const owner = aliasOwner.get(key);
      const asNumber = parseNumber(alias);
      if (owner !== undefined && owner !== option.value) {
        issues.push({
          path: at('answer', 'options', j, 'aliases', k),
          message: `"${alias}" also means ${owner}`,
        });
      } else if (asNumber !== undefined && asNumber !== option.value) {
        issues.push({
          path: at('answer', 'options', j, 'aliases', k),
          message: `"${alias}" reads as ${asNumber}`,
        });
      }
      aliasOwner.set(key, option.value);
    });
  });
  return issues;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * A flow shipped in the code: frozen, not parsed at cold start (about 10 ms of a function's init for
 * data that cannot change while it runs). It is written in the parsed shape, every default explicit,
 * so the compiler checks its fields, and tests/unit/flow-schema.test.ts checks that each shipped flow
 * passes `defineFlow` unchanged (cross-references included).
 */
export function shippedFlow(flow: Flow): Flow {
  return deepFreeze(flow);
}

/**
 * Validates a flow (shape and cross-references: unique step ids, branch targets that exist and
 * lie ahead, possible answer values, known placeholders) and returns it frozen, since flows are
 * shared by every turn. Throws FlowDefinitionError listing every problem.
 */
export function defineFlow(raw: unknown): Flow {
  const parsed = flowSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw ? String(raw.id) : '?';
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(flow)'}: ${i.message}`);
    throw new FlowDefinitionError(`invalid flow "${id}": ${problems.join('; ')}`);
  }
  return deepFreeze(parsed.data);
}

export function findStep(flow: Flow, stepId: string): FlowStep | undefined {
  return flow.steps.find((s) => s.id === stepId);
}

/**
 * The step after `stepId` given the answer (undefined for unanswered or skipped): a matching
 * branch, else the following step. undefined when the flow is over for this child.
 */
export function nextStepId(flow: Flow, stepId: string, value: AnswerValue | undefined): string | undefined {
  const index = flow.steps.findIndex((s) => s.id === stepId);
  const step = flow.steps[index];
  if (step === undefined) return undefined;
  const branch = value === undefined ? undefined : step.next?.find((b) => b.when === value);
  if (branch !== undefined) return branch.goto === END_OF_FLOW ? undefined : branch.goto;
  return flow.steps[index + 1]?.id;
}

/**
 * The step's question in a language, with the child's name in place ({child}), or all the
 * children's names of a flow asked once ({children}).
 */
export function renderStepText(
  step: FlowStep,
  language: Language,
  childName: string,
  childrenNames: string = childName,
): string {
  return step.text[language].replaceAll('{child}', childName).replaceAll('{children}', childrenNames);
}
