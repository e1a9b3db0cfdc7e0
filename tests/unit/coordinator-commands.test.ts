import { describe, expect, it } from 'vitest';
import { formatWorkRef, parseCoordinatorCommand, workRefKind } from '#lib/domain/coordinator-commands.ts';
import { COORDINATOR_TEXT_MESSAGES } from '#lib/domain/coordinator-messages.ts';
import { LANGUAGES } from '#lib/domain/model.ts';

describe('parseCoordinatorCommand', () => {
  it.each([
    ['收到 A7', 'A7'],
    ['收到A7', 'A7'],
    ['OK A7', 'A7'],
    ['ok a7', 'A7'],
    ['ＯＫ　Ａ７', 'A7'],
    ['收到Ａ７。', 'A7'],
    ['确认 T3', 'T3'],
    ['收到', undefined],
    ['OK', undefined],
    ['ok!', undefined],
    ['确认', undefined],
  ])('%j acknowledges %s', (text, ref) => {
    expect(parseCoordinatorCommand(text)).toEqual({ kind: 'acknowledge', ref });
  });

  it.each([
    ['完成 A7 已家访', 'A7', '已家访'],
    ['完成A7已家访', 'A7', '已家访'],
    ['完成 A7', 'A7', ''],
    ['DONE A7 Visited the family', 'A7', 'Visited the family'],
    ['done a12: called Grandma', 'A12', 'called Grandma'],
    ['完成，已电话联系', undefined, '已电话联系'],
    ['完成', undefined, ''],
  ])('%j closes %s with the note %j (kept as written)', (text, ref, note) => {
    expect(parseCoordinatorCommand(text)).toEqual({ kind: 'close', ref, note });
  });

  it.each([
    ['A7 ?', 'A7'],
    ['A7?', 'A7'],
    ['Ａ７？', 'A7'],
    ['? A7', 'A7'],
    ['状态 A7', 'A7'],
    ['a7', 'A7'],
    ['T3 ?', 'T3'],
  ])('%j asks the state of %s', (text, ref) => {
    expect(parseCoordinatorCommand(text)).toEqual({ kind: 'state', ref });
  });

  it.each([
    'GB 4821 明天开会',
    '是',
    'YES',
    '完成作业了吗', // no separator and no reference: not a close
    'okay then let us talk',
    'A7B',
    'T',
    'STOP',
    '帮助',
    '收到了谢谢你们的通知',
    'at home',
    '',
  ])('%j is not a command', (text) => {
    expect(parseCoordinatorCommand(text)).toBeUndefined();
  });
});

describe('references', () => {
  it('letters say the kind', () => {
    expect(formatWorkRef('alert', 7)).toBe('A7');
    expect(formatWorkRef('task', 3)).toBe('T3');
    expect(workRefKind(formatWorkRef('alert', 1))).toBe('alert');
    expect(workRefKind(formatWorkRef('task', 1))).toBe('task');
    expect(workRefKind('X1')).toBeUndefined();
  });
});

describe("a coordinator's help", () => {
  it.each(LANGUAGES)('%s: names the Centre and every command a coordinator can text', (language) => {
    const help = COORDINATOR_TEXT_MESSAGES[language].help({
      centreName: '石门村儿童之家',
      centrePhone: '0731-1',
    });
    expect(help).toContain('0731-1');
    // Each command it names is one the parser reads.
    const examples =
      language === 'zh-CN' ? ['收到 A7', '完成 A7 备注', 'A7 ?'] : ['OK A7', 'DONE A7', 'A7 ?'];
    for (const example of examples) {
      expect(help).toContain(example);
      expect(parseCoordinatorCommand(example)).toBeDefined();
    }
    expect(help).toContain('GB');
  });
});
