import { type Flow, shippedFlow } from '#lib/domain/flow-schema.ts';

export const WEEKLY_CHECKIN_FLOW_ID = 'weekly-checkin';

/** Item ids as stored on each answer; the parents' digest reads them. */
export const WEEKLY_CHECKIN_ITEMS = {
  attendance: 'attendance',
  mood: 'mood',
  school: 'school',
  health: 'health',
  parentContact: 'parent-contact',
  message: 'message',
} as const;

/**
 * Words of harm that raise an alert. A first list, for the Centres' coordinators to refine with
 * what carers actually write. Chosen for few false alarms on everyday messages: not 打 alone
 * (打电话, a phone call) nor 伤 alone (伤心, sad; mood has its own item). A negated mention
 * (没有被欺负) still alerts: a coordinator reading one message too many is the cheaper mistake.
 */
export const HARM_WORDS = {
  'zh-CN': [
    '被打',
    '挨打',
    '打他',
    '打她',
    '打孩子',
    '打伤',
    '受伤',
    '伤害',
    '虐待',
    '欺负',
    '霸凌',
    '害怕',
    '自杀',
    '想死',
    '不想活',
    '轻生',
    '自残',
    '走失',
    '失踪',
    '离家出走',
    '性侵',
    '猥亵',
  ],
  en: [
    'hurt',
    'hurts',
    'hit',
    'hits',
    'beaten',
    'beat him',
    'beat her',
    'abuse',
    'abused',
    'bully',
    'bullied',
    'bullying',
    'scared',
    'afraid',
    'suicide',
    'kill himself',
    'kill herself',
    'self-harm',
    'missing',
    'ran away',
    'run away',
  ],
};

const raw: Flow = {
  id: WEEKLY_CHECKIN_FLOW_ID,
  version: 1,
  perChild: true,
  steps: [
    {
      id: WEEKLY_CHECKIN_ITEMS.attendance,
      maxReprompts: 2,
      text: {
        'zh-CN': '本周{child}去了儿童之家几天？回复0-7',
        en: "How many days did {child} go to the Children's Centre this week? Reply 0-7",
      },
      answer: { type: 'number', min: 0, max: 7 },
      alertWords: HARM_WORDS,
    },
    {
      id: WEEKLY_CHECKIN_ITEMS.mood,
      maxReprompts: 2,
      text: {
        'zh-CN': '{child}这周心情怎么样？1很开心 2还好 3不太开心 4很难过',
        en: 'How has {child} felt this week? 1 very happy 2 OK 3 not very happy 4 very sad',
      },
      answer: { type: 'choice', options: [{ value: 1 }, { value: 2 }, { value: 3 }, { value: 4 }] },
      alertWhen: [4],
      alertWords: HARM_WORDS,
    },
    {
      id: WEEKLY_CHECKIN_ITEMS.school,
      maxReprompts: 2,
      text: {
        'zh-CN': '{child}这周上学怎么样？1很好 2一般 3有困难 4没去上学',
        en: 'How was school for {child} this week? 1 good 2 so-so 3 struggling 4 did not go',
      },
      answer: { type: 'choice', options: [{ value: 1 }, { value: 2 }, { value: 3 }, { value: 4 }] },
      alertWhen: [4],
      alertWords: HARM_WORDS,
    },
    {
      id: WEEKLY_CHECKIN_ITEMS.health,
      maxReprompts: 2,
      text: {
        'zh-CN': '{child}身体怎么样？1健康 2小病 3需要帮助',
        en: "How is {child}'s health? 1 well 2 a little ill 3 needs help",
      },
      answer: { type: 'choice', options: [{ value: 1 }, { value: 2 }, { value: 3 }] },
      alertWhen: [3],
      alertWords: HARM_WORDS,
    },
    {
      id: WEEKLY_CHECKIN_ITEMS.parentContact,
      maxReprompts: 2,
      text: {
        'zh-CN': '{child}这周和爸爸妈妈联系了吗？1联系了 2没有',
        en: 'Did {child} talk with mum or dad this week? 1 yes 2 no',
      },
      answer: {
        type: 'choice',
        options: [
          // Carers answer a yes/no question in words as often as with its number.
          { value: 1, aliases: ['是', '是的', '有', '有的', '对', '联系了', '有联系', 'yes', 'y'] },
          { value: 2, aliases: ['否', '不', '不是', '没有', '没', '没联系', '没有联系', 'no', 'n'] },
        ],
      },
      alertWords: HARM_WORDS,
    },
    {
      id: WEEKLY_CHECKIN_ITEMS.message,
      maxReprompts: 2,
      text: {
        'zh-CN':
          '有什么想告诉儿童之家老师的吗？只有老师看得到；家长每周收到的是您同意分享的答案摘要。直接回复，回复0跳过',
        en: "Anything to tell the Centre's staff? Only they read it; parents get a weekly summary of the answers you agreed to share. Reply in words, or 0 to skip",
      },
      answer: {
        type: 'text',
        maxLength: 500,
        skipWords: ['0', '零', '跳过', 'skip', '无', '没有', 'no', 'none'],
      },
      alertWords: HARM_WORDS,
    },
  ],
};

/** The weekly carer check-in of the design brief: six items about each child in turn. */
export const weeklyCheckinFlow: Flow = shippedFlow(raw);
