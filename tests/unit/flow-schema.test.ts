import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  defineFlow,
  END_OF_FLOW,
  FlowDefinitionError,
  type FlowInput,
  findStep,
  nextStepId,
  renderStepText,
} from '#lib/domain/flow-schema.ts';
import { WEEKLY_CHECKIN_ITEMS, weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';

const text = (zh: string, en: string) => ({ 'zh-CN': zh, en });

// A small branching flow: a yes/no, a number that skips a step on 0, a choice, free text.
function sampleFlow(): FlowInput {
  return {
    id: 'sample',
    version: 1,
    perChild: true,
    steps: [
      {
        id: 'ate',
        text: text('{child}吃饭了吗？', 'Did {child} eat?'),
        answer: { type: 'yesno' },
        next: [{ when: false, goto: 'note' }],
      },
      {
        id: 'meals',
        text: text('几顿？', 'How many meals?'),
        answer: { type: 'number', min: 0, max: 5 },
        next: [
          { when: 0, goto: 'note' },
          { when: 5, goto: END_OF_FLOW },
        ],
      },
      {
        id: 'taste',
        text: text('好吃吗？1好 2不好', 'Tasty? 1 yes 2 no'),
        answer: { type: 'choice', options: [{ value: 1, aliases: ['好'] }, { value: 2 }] },
      },
      {
        id: 'note',
        text: text('还有吗？', 'Anything else?'),
        answer: { type: 'text', maxLength: 100, skipWords: ['0'] },
      },
    ],
  };
}

type Mutation = (flow: FlowInput) => void;

function stepAt(flow: FlowInput, i: number) {
  const step = flow.steps[i];
  if (step === undefined) throw new Error(`no step ${i}`);
  return step;
}

describe('defineFlow', () => {
  it('accepts a well-formed flow and applies defaults', () => {
    const flow = defineFlow(sampleFlow());
    expect(flow.steps.map((s) => s.id)).toEqual(['ate', 'meals', 'taste', 'note']);
    expect(flow.steps.every((s) => s.maxReprompts === 2)).toBe(true);
  });

  it('returns a frozen flow, since every turn shares it', () => {
    const flow = defineFlow(sampleFlow());
    expect(Object.isFrozen(flow)).toBe(true);
    expect(Object.isFrozen(flow.steps[0]?.text)).toBe(true);
  });

  it.each<[string, Mutation, RegExp]>([
    [
      'no steps',
      (f) => {
        f.steps = [];
      },
      /steps/,
    ],
    [
      'a branch to a step that does not exist',
      (f) => {
        stepAt(f, 0).next = [{ when: false, goto: 'nowhere' }];
      },
      /unknown step "nowhere"/,
    ],
    [
      'a branch backwards (a loop)',
      (f) => {
        stepAt(f, 2).next = [{ when: 1, goto: 'ate' }];
      },
      /"ate" is not after "taste"/,
    ],
    [
      'a branch to itself',
      (f) => {
        stepAt(f, 2).next = [{ when: 1, goto: 'taste' }];
      },
      /is not after/,
    ],
    [
      'two steps with one id',
      (f) => {
        stepAt(f, 3).id = 'ate';
      },
      /duplicate step id "ate"/,
    ],
    [
      'a branch on a value the step cannot produce',
      (f) => {
        stepAt(f, 1).next = [{ when: 9, goto: 'note' }];
      },
      /9 is not a possible answer/,
    ],
    [
      'a yes/no branch on a number',
      (f) => {
        stepAt(f, 0).next = [{ when: 1, goto: 'note' }];
      },
      /1 is not a possible answer/,
    ],
    [
      'two branches on one value',
      (f) => {
        stepAt(f, 1).next = [
          { when: 0, goto: 'note' },
          { when: 0, goto: 'taste' },
        ];
      },
      /duplicate branch/,
    ],
    [
      'a branch on free text',
      (f) => {
        stepAt(f, 3).next = [{ when: 1, goto: END_OF_FLOW }];
      },
      /not a possible answer/,
    ],
    [
      'an alert on an impossible value',
      (f) => {
        stepAt(f, 2).alertWhen = [3];
      },
      /3 is not a possible answer/,
    ],
    [
      'min above max',
      (f) => {
        stepAt(f, 1).answer = { type: 'number', min: 5, max: 1 };
      },
      /min 5 is above max 1/,
    ],
    [
      'two options with one value',
      (f) => {
        stepAt(f, 2).answer = { type: 'choice', options: [{ value: 1 }, { value: 1 }] };
      },
      /duplicate value/,
    ],
    [
      'one alias for two options',
      (f) => {
        stepAt(f, 2).answer = {
          type: 'choice',
          options: [
            { value: 1, aliases: ['好'] },
            { value: 2, aliases: ['好。'] },
          ],
        };
      },
      /"好。" also means 1/,
    ],
    [
      'an alias that reads as another option',
      (f) => {
        stepAt(f, 2).answer = { type: 'choice', options: [{ value: 1, aliases: ['二'] }, { value: 2 }] };
      },
      /"二" reads as 2/,
    ],
    [
      'a choice with one option',
      (f) => {
        stepAt(f, 2).answer = { type: 'choice', options: [{ value: 1 }] };
      },
      /options/,
    ],
    [
      'an unknown placeholder',
      (f) => {
        stepAt(f, 2).text = text('{kid}好吃吗？', 'Tasty?');
      },
      /unknown placeholder \{kid\}/,
    ],
    [
      '{child} in a flow not asked per child',
      (f) => {
        f.perChild = false;
      },
      /\{child\} needs a perChild flow/,
    ],
    [
      'a text missing its English',
      (f) => {
        stepAt(f, 2).text = { 'zh-CN': '好吃吗？' } as never;
      },
      /en/,
    ],
    [
      'an empty text',
      (f) => {
        stepAt(f, 2).text = text('  ', 'Tasty?');
      },
      /zh-CN/,
    ],
    [
      'a misspelt key',
      (f) => {
        Object.assign(stepAt(f, 2), { alertwhen: [1] });
      },
      /alertwhen/,
    ],
    [
      'an unknown answer type',
      (f) => {
        stepAt(f, 2).answer = { type: 'date' } as never;
      },
      /answer/,
    ],
    [
      'a version 0',
      (f) => {
        f.version = 0;
      },
      /version/,
    ],
    [
      'a step id with spaces',
      (f) => {
        stepAt(f, 2).id = 'the taste';
      },
      /id/,
    ],
  ])('rejects %s', (_label, mutate, message) => {
    const raw = sampleFlow();
    mutate(raw);
    expect(() => defineFlow(raw)).toThrow(FlowDefinitionError);
    expect(() => defineFlow(raw)).toThrow(message);
  });

  it('names the flow and every problem in one error', () => {
    const raw = sampleFlow();
    stepAt(raw, 0).next = [{ when: false, goto: 'nowhere' }];
    stepAt(raw, 3).id = 'ate';
    const message = (() => {
      try {
        defineFlow(raw);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^invalid flow "sample": /);
    expect(message).toContain('unknown step "nowhere"');
    expect(message).toContain('duplicate step id "ate"');
  });

  it('rejects something that is not a flow at all', () => {
    expect(() => defineFlow(null)).toThrow(FlowDefinitionError);
    expect(() => defineFlow('weekly')).toThrow(FlowDefinitionError);
  });
});

describe('nextStepId', () => {
  const flow = defineFlow(sampleFlow());
  it.each([
    ['a yes goes on to the following step', 'ate', true, 'meals'],
    ['a no branches ahead', 'ate', false, 'note'],
    ['an unmatched number goes on', 'meals', 3, 'taste'],
    ['a matching number branches', 'meals', 0, 'note'],
    ['a branch may end the flow', 'meals', 5, undefined],
    ['no value (unanswered) takes the default', 'ate', undefined, 'meals'],
    ['the last step ends the flow', 'note', 'anything', undefined],
    ['an unknown step ends the flow', 'gone', 1, undefined],
  ] as const)('%s', (_label, from, value, expected) => {
    expect(nextStepId(flow, from, value)).toBe(expected);
  });
});

describe('the weekly carer check-in', () => {
  const step = (id: string) => {
    const found = findStep(weeklyCheckinFlow, id);
    if (found === undefined) throw new Error(`no step ${id}`);
    return found;
  };

  it('asks the six items of the design brief, in order, about each child', () => {
    expect(weeklyCheckinFlow.perChild).toBe(true);
    expect(weeklyCheckinFlow.steps.map((s) => s.id)).toEqual(Object.values(WEEKLY_CHECKIN_ITEMS));
  });

  it.each([
    [
      'attendance',
      '本周小明去了儿童之家几天？回复0-7',
      "How many days did 小明 go to the Children's Centre this week? Reply 0-7",
    ],
    [
      'mood',
      '小明这周心情怎么样？1很开心 2还好 3不太开心 4很难过',
      'How has 小明 felt this week? 1 very happy 2 OK 3 not very happy 4 very sad',
    ],
    [
      'school',
      '小明这周上学怎么样？1很好 2一般 3有困难 4没去上学',
      'How was school for 小明 this week? 1 good 2 so-so 3 struggling 4 did not go',
    ],
    [
      'health',
      '小明身体怎么样？1健康 2小病 3需要帮助',
      "How is 小明's health? 1 well 2 a little ill 3 needs help",
    ],
    [
      'parent-contact',
      '小明这周和爸爸妈妈联系了吗？1联系了 2没有',
      'Did 小明 talk with mum or dad this week? 1 yes 2 no',
    ],
    [
      'message',
      '有什么想告诉儿童之家老师的吗？只有老师看得到；家长每周收到的是您同意分享的答案摘要。直接回复，回复0跳过',
      "Anything to tell the Centre's staff? Only they read it; parents get a weekly summary of the answers you agreed to share. Reply in words, or 0 to skip",
    ],
  ])('%s reads as in the brief', (id, zh, en) => {
    expect(renderStepText(step(id), 'zh-CN', '小明')).toBe(zh);
    expect(renderStepText(step(id), 'en', '小明')).toBe(en);
  });

  it('alerts on very sad, did not go to school, needs help', () => {
    expect(step('mood').alertWhen).toEqual([4]);
    expect(step('school').alertWhen).toEqual([4]);
    expect(step('health').alertWhen).toEqual([3]);
    expect(step('attendance').alertWhen).toBeUndefined();
    expect(step('parent-contact').alertWhen).toBeUndefined();
  });

  it('takes the free-text message up to 500 characters', () => {
    expect(step('message').answer).toMatchObject({ type: 'text', maxLength: 500 });
  });
});

describe('the flows shipped in the code', () => {
  // Found in the source, so that a flow added later is checked too: shippedFlow does not parse.
  const libDir = fileURLToPath(new URL('../../lib/', import.meta.url));
  const shipped = readdirSync(libDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(libDir, file), 'utf8').matchAll(/export const (\w+): Flow = shippedFlow\(/g)].map(
        (m) => ({ file, name: m[1] ?? '' }),
      ),
    );

  it('are found: the weekly check-in and the parents’ weekly flow at least', () => {
    expect(shipped.map((s) => s.name)).toEqual(
      expect.arrayContaining(['weeklyCheckinFlow', 'parentWeeklyFlow']),
    );
  });

  it.each(shipped)(
    '$name ($file) passes defineFlow unchanged, defaults written out',
    async ({ file, name }) => {
      const flow = ((await import(join(libDir, file))) as Record<string, unknown>)[name];
      expect(Object.isFrozen(flow)).toBe(true);
      expect(defineFlow(structuredClone(flow))).toEqual(flow);
    },
  );
});
