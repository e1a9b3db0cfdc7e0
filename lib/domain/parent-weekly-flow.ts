import { type Flow, shippedFlow } from '#lib/domain/flow-schema.ts';

export const PARENT_WEEKLY_FLOW_ID = 'parent-weekly';

/**
 * Steps of a parent's session. `talked` and `message` are the flow's own; `more` is where a session
 * waits after a message for the child was acknowledged: the next few lines (a long text a phone
 * split in several) are kept too, without acknowledging each again.
 */
export const PARENT_STEPS = { talked: 'talked', message: 'message', more: 'more' } as const;

/** Answers a parent gives that are not a message for the child: said as thanks, not as news. */
export const PLEASANTRIES = [
  '好',
  '好的',
  '好滴',
  '嗯',
  '嗯嗯',
  '谢谢',
  '谢谢你',
  '谢谢您',
  '多谢',
  '收到',
  '知道了',
  '好的谢谢',
  'ok',
  'okay',
  'thanks',
  'thank you',
  'thx',
];

const raw: Flow = {
  id: PARENT_WEEKLY_FLOW_ID,
  version: 1,
  // Asked once about all of the parent's children: a father of two gets one question, not two.
  perChild: false,
  steps: [
    {
      id: PARENT_STEPS.talked,
      maxReprompts: 2,
      text: {
        'zh-CN': '这周您和{children}通话了吗？回复1通话了，2还没有',
        en: 'Did you talk with {children} this week? Reply 1 yes, 2 not yet',
      },
      answer: {
        type: 'choice',
        options: [
          { value: 1, aliases: ['是', '是的', '有', '有的', '通话了', '打了', '联系了', 'yes', 'y'] },
          { value: 2, aliases: ['否', '不', '没', '没有', '还没', '还没有', '没打', 'no', 'n', 'not yet'] },
        ],
      },
    },
    {
      id: PARENT_STEPS.message,
      maxReprompts: 2,
      text: {
        'zh-CN': '想对{children}说什么？直接回复，我们转告孩子；回复0跳过',
        en: 'Anything to tell {children}? Reply in words and we will pass it on, or 0 to skip',
      },
      answer: {
        type: 'text',
        maxLength: 500,
        skipWords: ['0', '零', '跳过', '不用', '没有', 'skip', 'no', 'none'],
      },
    },
  ],
};

/** The parent's weekly check-in: did you talk with your child, then a message for them. */
export const parentWeeklyFlow: Flow = shippedFlow(raw);
