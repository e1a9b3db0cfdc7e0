// One inbound message in, everything it changes out. Pure: no I/O, and time is an input, so a
// replayed turn computes the same outcome (the store makes it count once).
import { compactInput } from '#lib/domain/answer-parsing.ts';
import {
  ANSWERED_WEEK_FLOW_ID,
  ANSWERED_WEEK_MESSAGES,
  ANSWERED_WEEK_REPROMPTS,
  answeredWeekSession,
  readAnsweredWeekChoice,
} from '#lib/domain/answered-week.ts';
import { type Flow, type FlowStep, findStep, nextStepId, renderStepText } from '#lib/domain/flow-schema.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { detectKeyword, isCallRequest, type Keyword } from '#lib/domain/keywords.ts';
import {
  appendSentence,
  appendStopHint,
  composeReply,
  MESSAGES,
  type MessageSet,
  unregisteredText,
} from '#lib/domain/message-catalog.ts';
import type {
  AlertRecord,
  AnswerRecord,
  AnswerValue,
  CallRequest,
  ChildMessageRecord,
  ChildRef,
  CompletedCheckin,
  ContactChanges,
  ContactView,
  Language,
  ParentWeekAnswer,
  Session,
} from '#lib/domain/model.ts';
import { sessionChildIndex } from '#lib/domain/model.ts';
import {
  isOneMessageItem,
  nextStepStreak,
  ONE_MESSAGE_ITEMS,
  oneMessageQuestion,
  readOneMessageReply,
  shouldOfferOneMessage,
} from '#lib/domain/one-message-checkin.ts';
import {
  PARENT_STEPS,
  PARENT_WEEKLY_FLOW_ID,
  PLEASANTRIES,
  parentWeeklyFlow,
} from '#lib/domain/parent-weekly-flow.ts';
import { alertsOnValue, findHarmWords, readAnswer } from '#lib/domain/step-answer.ts';
import { WEEKLY_CHECKIN_ITEMS, weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { joinNames, PARENT_REPLIES } from '#lib/domain/weekly-messages.ts';

export interface TurnInput {
  /** The raw inbound text. */
  text: string;
  now: Date;
  /** The registered contact writing (unregistered numbers never reach the engine). */
  contact: ContactView;
  /** The open session on this address, if any (may be expired: the engine checks expiresAt against now). */
  session: Session | undefined;
  /** Default 48 in config. */
  sessionTtlHours: number;
}

export interface TurnOutcome {
  /** Texts to send back now (usually exactly one; [] = stay silent). */
  replies: string[];
  /** The session after this turn; null = none/ended. */
  session: Session | null;
  /** Answers to store on the check-in (one item per child per ISO week). */
  answers: AnswerRecord[];
  /** Children whose check-in for session.week this turn completed. */
  completed: CompletedCheckin[];
  /** Alerts to raise to the child's centre coordinators. */
  alerts: AlertRecord[];
  /** optedOut / language / stopHintWeek changes to persist. */
  contactChanges: ContactChanges;
  /** A parent's message for their child, to keep for the Centre. */
  childMessages: ChildMessageRecord[];
  /** A parent's answer to "did you talk with your child this week?". */
  parentAnswers: ParentWeekAnswer[];
  /** A parent asks for a call with the child (电话 / CALL): a task for the Centre's coordinators. */
  callRequests?: CallRequest[] | undefined;
}

const FLOWS: ReadonlyMap<string, Flow> = new Map([
  [weeklyCheckinFlow.id, weeklyCheckinFlow],
  [parentWeeklyFlow.id, parentWeeklyFlow],
]);
const HOUR_MS = 60 * 60 * 1000;
/**
 * After a parent's message is acknowledged, further lines within this time (a long text a phone
 * sent in several parts) are kept without another acknowledgement.
 */
export const PARENT_MESSAGE_BURST_MINUTES = 10;

/** What a turn decided, before the reply is composed. `parts: null` means stay silent. */
interface Draft {
  parts: string[] | null;
  /**
   * The one-message question, said last (after the weekly stop hint): it is a template's fixed
   * ending on the domestic channel (lib/domain/sms-templates.ts).
   */
  tail?: string | undefined;
  session: Session | null;
  answers?: AnswerRecord[];
  completed?: CompletedCheckin[];
  alerts?: AlertRecord[];
  changes?: ContactChanges;
  childMessages?: ChildMessageRecord[];
  parentAnswers?: ParentWeekAnswer[];
  callRequests?: CallRequest[];
}

interface Context {
  input: TurnInput;
  contact: ContactView;
  now: Date;
  /** The language replies are in after any change this turn. */
  language: Language;
  m: MessageSet;
  /** The session if it is still open at `now`. */
  live: Session | undefined;
}

/** Where a session stands, resolved against the flows and the contact's children. */
interface Position {
  session: Session;
  flow: Flow;
  step: FlowStep;
  /** The child asked about (perChild) or the first child (a flow asked once). */
  child: ChildRef;
}

/** The reply to a number that belongs to no contact. */
export function unregisteredReply(): string {
  return unregisteredText();
}

export function runTurn(input: TurnInput): TurnOutcome {
  const { contact, now, session } = input;
  const keyword = detectKeyword(input.text);
  const language = typeof keyword === 'object' && !contact.optedOut ? keyword.language : contact.language;
  const live = session !== undefined && isOpen(session, now) ? session : undefined;
  const ctx: Context = { input, contact, now, language, m: MESSAGES[language], live };

  const draft = contact.optedOut ? whileOptedOut(ctx, keyword) : handle(ctx, keyword);

  const changes: ContactChanges = { ...draft.changes };
  const replies = draft.parts === null ? [] : [composeReply(language, draft.parts)];
  const week = isoWeekOf(now);
  const optedOut = changes.optedOut ?? contact.optedOut;
  // Say how to stop once a week per address, never to someone who has just stopped.
  const first = replies[0];
  if (first !== undefined && !optedOut && contact.stopHintWeek !== week) {
    replies[0] = appendStopHint(first, language);
    changes.stopHintWeek = week;
  }
  const withHint = replies[0];
  if (withHint !== undefined && draft.tail !== undefined) {
    replies[0] = appendSentence(withHint, language, draft.tail);
  }
  return {
    replies,
    session: draft.session,
    answers: draft.answers ?? [],
    completed: draft.completed ?? [],
    alerts: draft.alerts ?? [],
    contactChanges: changes,
    childMessages: draft.childMessages ?? [],
    parentAnswers: draft.parentAnswers ?? [],
    ...(draft.callRequests ? { callRequests: draft.callRequests } : {}),
  };
}

/** The idle reply is sent at most once in this many minutes on an address. */
export const IDLE_REPLY_QUIET_MINUTES = 10;

/**
 * "Reply 签到 to check in", to a message that is nothing we expect. A phone that auto-answers every
 * SMS would ping-pong with this reply for ever (each round a paid SMS), so after one idle reply the
 * address hears nothing more for a while; the loop ends with our silence.
 */
function idleDraft(ctx: Context, carer: boolean): Draft {
  const last =
    ctx.contact.lastIdleReplyAt === undefined ? Number.NaN : Date.parse(ctx.contact.lastIdleReplyAt);
  if (ctx.now.getTime() - last < IDLE_REPLY_QUIET_MINUTES * 60_000) return { parts: null, session: null };
  return {
    parts: [ctx.m.idle({ carer })],
    session: null,
    changes: { lastIdleReplyAt: ctx.now.toISOString() },
  };
}

function isOpen(session: Session, now: Date): boolean {
  const expires = Date.parse(session.expiresAt);
  return !Number.isNaN(expires) && now.getTime() < expires;
}

function expiresAt(ctx: Context): string {
  return new Date(ctx.now.getTime() + ctx.input.sessionTtlHours * HOUR_MS).toISOString();
}

// An opted-out contact hears nothing more unless they ask: START to come back, HELP for help.
function whileOptedOut(ctx: Context, keyword: Keyword | undefined): Draft {
  const unchanged = ctx.live ?? null;
  if (keyword === 'start') {
    return {
      ...said([ctx.m.optedIn], resumeOrInvite(ctx)),
      session: unchanged,
      changes: { optedOut: false },
    };
  }
  if (keyword === 'help') {
    return { parts: [ctx.m.help(ctx.contact, { carer: isCarer(ctx), optedOut: true })], session: unchanged };
  }
  return { parts: null, session: unchanged };
}

function handle(ctx: Context, keyword: Keyword | undefined): Draft {
  const unchanged = ctx.live ?? null;
  switch (keyword) {
    case 'stop':
      return { parts: [ctx.m.optedOut], session: null, changes: { optedOut: true } };
    case 'start':
      return { ...said([ctx.m.alreadySubscribed], resumeOrInvite(ctx)), session: unchanged };
    case 'help':
      return {
        ...said([ctx.m.help(ctx.contact, { carer: isCarer(ctx), optedOut: false })], resume(ctx)),
        session: unchanged,
      };
    case 'checkin':
      return startCheckin(ctx);
    case 'one-message':
    case 'steps':
      return chooseForm(ctx, keyword);
    case undefined: {
      if (ctx.live?.flowId === ANSWERED_WEEK_FLOW_ID) return answeredWeekTurn(ctx, ctx.live);
      if (ctx.contact.role === 'parent') return parentTurn(ctx);
      const position = ctx.live === undefined ? undefined : resolve(ctx, ctx.live);
      if (position === undefined) return idleDraft(ctx, isCarer(ctx));
      return answer(ctx, position);
    }
    default: {
      const changes: ContactChanges =
        keyword.language === ctx.contact.language ? {} : { language: keyword.language };
      return { ...said([ctx.m.languageSet], resume(ctx)), session: unchanged, changes };
    }
  }
}

function isCarer(ctx: Context): boolean {
  return ctx.contact.role === 'carer';
}

function resolve(ctx: Context, session: Session): Position | undefined {
  // A session whose flow, step or child is gone (a new flow version, a roster change) cannot go
  // on: it is treated as no session rather than guessed at.
  const flow = FLOWS.get(session.flowId);
  // Parents answer their own flow, carers theirs: a session left from a role change is no session.
  if ((session.flowId === PARENT_WEEKLY_FLOW_ID) !== (ctx.contact.role === 'parent')) return undefined;
  const step = flow === undefined ? undefined : findStep(flow, session.stepId);
  const index = flow?.perChild ? sessionChildIndex(session, ctx.contact.children) : 0;
  const child = index === undefined ? undefined : ctx.contact.children[index];
  if (flow === undefined || step === undefined || child === undefined || index === undefined)
    return undefined;
  // Positions follow the roster as it is now, so the next child is the one after this one.
  return { session: { ...session, childIndex: index }, flow, step, child };
}

function question(ctx: Context, step: FlowStep, child: ChildRef): string {
  const all = joinNames(
    ctx.contact.children.map((c) => c.name),
    ctx.language,
  );
  return renderStepText(step, ctx.language, child.name, all);
}

/** What is said: sentences, and the one-message question last when there is one. */
interface Said {
  parts: string[];
  tail?: string | undefined;
}

function said(before: string[], then: Said): Said {
  return { parts: [...before, ...then.parts], tail: then.tail };
}

/** Whether the open question is a child's one message (all their numbered items at once). */
function asksOneMessage(session: Session, step: FlowStep): boolean {
  return session.form === 'one-message' && step.id === ONE_MESSAGE_ITEMS[0]?.id;
}

/** The open question again, after a keyword interrupted it. */
function resume(ctx: Context): Said {
  const position = ctx.live === undefined ? undefined : resolve(ctx, ctx.live);
  if (position === undefined) return { parts: [] };
  if (asksOneMessage(position.session, position.step)) {
    return { parts: [ctx.m.checkinIntro(position.child.name)], tail: oneMessageQuestion(ctx.language) };
  }
  if (position.session.form === 'one-message' && !isOneMessageItem(position.step.id)) {
    return { parts: [allChildrenQuestion(ctx, position.step)] };
  }
  return { parts: [question(ctx, position.step, position.child)] };
}

function resumeOrInvite(ctx: Context): Said {
  const again = resume(ctx);
  if (again.parts.length > 0) return again;
  return { parts: isCarer(ctx) && ctx.contact.children.length > 0 ? [ctx.m.replyCheckin] : [] };
}

/** A step asked once about all the children (the free-text message). */
function allChildrenQuestion(ctx: Context, step: FlowStep): string {
  const names = joinNames(
    ctx.contact.children.map((c) => c.name),
    ctx.language,
  );
  return renderStepText(step, ctx.language, names, names);
}

/** 一条 / ONE TEXT or 逐条 / STEPS: how the carer's next check-ins are asked. An open one goes on as it is. */
function chooseForm(ctx: Context, form: 'one-message' | 'steps'): Draft {
  const unchanged = ctx.live ?? null;
  if (!isCarer(ctx)) return { parts: [ctx.m.checkinIsForCarers(ctx.contact)], session: unchanged };
  const chosen = form === 'one-message' ? ctx.m.oneMessageChosen : ctx.m.stepsChosen;
  return { ...said([chosen], resume(ctx)), session: unchanged, changes: { checkinForm: form } };
}

function startCheckin(ctx: Context, mode?: Session['mode']): Draft {
  const { contact, m } = ctx;
  const unchanged = ctx.live ?? null;
  if (!isCarer(ctx)) return { parts: [m.checkinIsForCarers(contact)], session: unchanged };
  const flow = weeklyCheckinFlow;
  const first = flow.steps[0];
  const child = contact.children[0];
  if (child === undefined || first === undefined)
    return { parts: [m.noChildren(contact)], session: unchanged };
  // The week is answered already (and no run is open): ask before anything is answered again.
  const week = isoWeekOf(ctx.now);
  if (mode === undefined && contact.checkinDoneWeek === week && ctx.live?.flowId !== flow.id) {
    return {
      parts: [ANSWERED_WEEK_MESSAGES[ctx.language].prompt],
      session: answeredWeekSession(week, ctx.now, expiresAt(ctx)),
    };
  }
  // A correction goes step by step: each earlier answer is asked again, one at a time.
  const oneMessage = mode === undefined && contact.checkinForm === 'one-message';
  // Restarting an open check-in starts it over: the new answers replace the earlier ones.
  const session: Session = {
    flowId: flow.id,
    flowVersion: flow.version,
    week: isoWeekOf(ctx.now),
    childIndex: 0,
    childId: child.childId,
    stepId: first.id,
    attempts: 0,
    startedAt: ctx.now.toISOString(),
    expiresAt: expiresAt(ctx),
    ...(mode === undefined ? {} : { mode }),
    ...(oneMessage ? { form: 'one-message' as const } : {}),
  };
  if (oneMessage)
    return { parts: [m.checkinIntro(child.name)], tail: oneMessageQuestion(ctx.language), session };
  return { parts: [m.checkinIntro(child.name), question(ctx, first, child)], session };
}

/** The carer's 1/2/3 after a second 签到 in an answered week. */
function answeredWeekTurn(ctx: Context, session: Session): Draft {
  const texts = ANSWERED_WEEK_MESSAGES[ctx.language];
  const choice = readAnsweredWeekChoice(ctx.input.text);
  if (choice === 'correct') return startCheckin(ctx, 'correction');
  if (choice === 'message') {
    const step = findStep(weeklyCheckinFlow, WEEKLY_CHECKIN_ITEMS.message);
    const child = ctx.contact.children[0];
    if (step === undefined || child === undefined) return { parts: [texts.kept], session: null };
    const names = joinNames(
      ctx.contact.children.map((c) => c.name),
      ctx.language,
    );
    return {
      parts: [renderStepText(step, ctx.language, names, names)],
      session: {
        flowId: weeklyCheckinFlow.id,
        flowVersion: weeklyCheckinFlow.version,
        week: session.week,
        childIndex: 0,
        childId: child.childId,
        stepId: step.id,
        attempts: 0,
        startedAt: ctx.now.toISOString(),
        expiresAt: expiresAt(ctx),
        mode: 'message',
      },
    };
  }
  if (choice === 'keep') return { parts: [texts.kept], session: null };
  if (session.attempts < ANSWERED_WEEK_REPROMPTS) {
    return {
      parts: [texts.notUnderstood, texts.prompt],
      session: { ...session, attempts: session.attempts + 1, expiresAt: expiresAt(ctx) },
    };
  }
  return { parts: [texts.kept], session: null };
}

function answer(ctx: Context, position: Position): Draft {
  const { m, contact, now } = ctx;
  const { session, flow, step, child } = position;
  if (asksOneMessage(session, step)) return oneMessageTurn(ctx, position);
  const read = readAnswer(step, ctx.input.text);
  // The free text after a one-message run is asked once, about all the children.
  const onceForAll = session.form !== undefined && !isOneMessageItem(step.id);
  // A flow asked once (not per child) holds for every child of the contact; so does a message added
  // to an answered week (asked once, about all the children).
  const subjects = flow.perChild && session.mode !== 'message' && !onceForAll ? [child] : contact.children;
  // A later run's answers raise alerts of their own: a second worrying message is not the first one.
  const run = session.mode === undefined ? '' : `#${session.startedAt}`;
  const harmWords = read.kind === 'skipped' ? [] : read.harmWords;
  const alerts: AlertRecord[] = [];
  const alert = (reason: AlertRecord['reason'], value: AnswerValue) => {
    for (const c of subjects) {
      alerts.push({
        alertId: `${c.childId}#${session.week}#${step.id}${run}`,
        centreId: contact.centreId,
        childId: c.childId,
        familyId: c.familyId,
        week: session.week,
        itemId: step.id,
        reason,
        value,
        raisedAt: now.toISOString(),
      });
    }
  };
  if (read.kind === 'answered' && alertsOnValue(step, read.value)) alert('answer', read.value);
  if (harmWords.length > 0) alert('words', read.raw);
  const harmNote = harmWords.length > 0 ? [m.harmNoted] : [];

  if (read.kind === 'invalid' && session.attempts < step.maxReprompts) {
    return {
      parts: [
        m.notUnderstood,
        ...harmNote,
        step.hint?.[ctx.language] ?? m.hint(step.answer),
        question(ctx, step, child),
      ],
      session: { ...session, attempts: session.attempts + 1, expiresAt: expiresAt(ctx) },
      alerts,
    };
  }

  const value = read.kind === 'answered' ? read.value : undefined;
  const status = read.kind === 'invalid' ? 'unanswered' : read.kind;
  const answers = subjects.map((c): AnswerRecord => {
    const record: AnswerRecord = {
      childId: c.childId,
      familyId: c.familyId,
      week: session.week,
      flowId: flow.id,
      itemId: step.id,
      status,
      raw: read.raw,
      truncated: read.truncated,
      answeredAt: now.toISOString(),
      run: session.startedAt,
    };
    // No undefined-valued keys: the store marshals records as they are.
    if (value !== undefined) record.value = value;
    if (session.mode !== undefined) record.correction = true;
    return record;
  });
  const lead = read.kind === 'invalid' ? [m.movingOn] : [];
  if (onceForAll) return { parts: [...lead, ...harmNote, m.checkinDone], session: null, answers, alerts };
  if (session.mode === 'message') {
    return {
      parts: [...lead, ...harmNote, ANSWERED_WEEK_MESSAGES[ctx.language].messageAdded],
      session: null,
      answers,
      alerts,
    };
  }

  const nextId = nextStepId(flow, step.id, value);
  const next = nextId === undefined ? undefined : findStep(flow, nextId);
  // After an unclear one-message reply, the child's remaining numbered items one by one; then as
  // if the one message had been clear.
  if (session.form === 'one-message-steps' && (next === undefined || !isOneMessageItem(next.id))) {
    return oneMessageChildDone(ctx, position, [...lead, ...harmNote], answers, alerts);
  }
  if (next !== undefined) {
    return {
      parts: [...(lead.length > 0 ? lead : [m.ack]), ...harmNote, question(ctx, next, child)],
      session: { ...session, stepId: next.id, attempts: 0, expiresAt: expiresAt(ctx) },
      answers,
      alerts,
    };
  }

  const completed = subjects.map(
    (c): CompletedCheckin => ({
      childId: c.childId,
      familyId: c.familyId,
      week: session.week,
      flowId: flow.id,
      completedAt: now.toISOString(),
      ...(session.mode === 'correction' ? { correction: true } : {}),
    }),
  );
  const nextIndex = session.childIndex + 1;
  const nextChild = flow.perChild ? contact.children[nextIndex] : undefined;
  const first = flow.steps[0];
  if (nextChild !== undefined && first !== undefined) {
    return {
      parts: [...lead, ...harmNote, m.nextChild(nextChild.name), question(ctx, first, nextChild)],
      session: {
        ...session,
        childIndex: nextIndex,
        childId: nextChild.childId,
        stepId: first.id,
        attempts: 0,
        expiresAt: expiresAt(ctx),
      },
      answers,
      completed,
      alerts,
    };
  }
  if (flow.id !== weeklyCheckinFlow.id) {
    return { parts: [...lead, ...harmNote, m.checkinDone], session: null, answers, completed, alerts };
  }
  // Weeks answered step by step in a row: after a few, the one message is offered (once).
  const streak = session.mode === undefined ? nextStepStreak(contact, session.week) : undefined;
  const offer = streak !== undefined && shouldOfferOneMessage(contact, streak.stepStreak);
  return {
    parts: [...lead, ...harmNote, m.checkinDone, ...(offer ? [m.oneMessageOffer] : [])],
    session: null,
    answers,
    completed,
    alerts,
    // A 签到 again this week asks first (lib/domain/answered-week.ts).
    changes: { checkinDoneWeek: session.week, ...streak, ...(offer ? { oneMessageOffered: true } : {}) },
  };
}

/**
 * A reply to a child's one message: the items it makes clear are kept; from the first unclear one,
 * the rest are asked one by one. Words of harm in it alert as they would at that step.
 */
function oneMessageTurn(ctx: Context, position: Position): Draft {
  const { m, contact, now } = ctx;
  const { session, flow, child } = position;
  const read = readOneMessageReply(ONE_MESSAGE_ITEMS, ctx.input.text);
  const answers: AnswerRecord[] = [];
  const alerts: AlertRecord[] = [];
  const alert = (step: FlowStep, reason: AlertRecord['reason'], value: AnswerValue) =>
    alerts.push({
      alertId: `${child.childId}#${session.week}#${step.id}`,
      centreId: contact.centreId,
      childId: child.childId,
      familyId: child.familyId,
      week: session.week,
      itemId: step.id,
      reason,
      value,
      raisedAt: now.toISOString(),
    });
  for (const [i, value] of read.values.entries()) {
    const step = ONE_MESSAGE_ITEMS[i];
    if (step === undefined) continue;
    answers.push({
      childId: child.childId,
      familyId: child.familyId,
      week: session.week,
      flowId: flow.id,
      itemId: step.id,
      status: 'answered',
      value,
      raw: read.raw,
      truncated: false,
      answeredAt: now.toISOString(),
      run: session.startedAt,
    });
    if (alertsOnValue(step, value)) alert(step, 'answer', value);
  }
  const unclear = read.unclearAt === undefined ? undefined : ONE_MESSAGE_ITEMS[read.unclearAt];
  if (unclear === undefined) return oneMessageChildDone(ctx, position, [], answers, alerts);
  const harmWords = findHarmWords(read.raw, unclear.alertWords);
  if (harmWords.length > 0) alert(unclear, 'words', read.raw.slice(0, 500));
  return {
    parts: [
      m.oneByOne(read.values.length),
      ...(harmWords.length > 0 ? [m.harmNoted] : []),
      question(ctx, unclear, child),
    ],
    session: {
      ...session,
      stepId: unclear.id,
      attempts: 0,
      form: 'one-message-steps',
      expiresAt: expiresAt(ctx),
    },
    answers,
    alerts,
  };
}

/**
 * A child's numbered items are all answered in a one-message run: their check-in is complete (the
 * free text is asked once, after the last child). Next is the next child's one message.
 */
function oneMessageChildDone(
  ctx: Context,
  position: Position,
  lead: string[],
  answers: AnswerRecord[],
  alerts: AlertRecord[],
): Draft {
  const { m, contact, now } = ctx;
  const { session, flow, child } = position;
  const completed: CompletedCheckin[] = [
    {
      childId: child.childId,
      familyId: child.familyId,
      week: session.week,
      flowId: flow.id,
      completedAt: now.toISOString(),
    },
  ];
  const nextIndex = session.childIndex + 1;
  const nextChild = contact.children[nextIndex];
  const first = ONE_MESSAGE_ITEMS[0];
  if (nextChild !== undefined && first !== undefined) {
    return {
      parts: [...lead, m.nextChild(nextChild.name)],
      tail: oneMessageQuestion(ctx.language),
      session: {
        ...session,
        childIndex: nextIndex,
        childId: nextChild.childId,
        stepId: first.id,
        attempts: 0,
        form: 'one-message',
        expiresAt: expiresAt(ctx),
      },
      answers,
      completed,
      alerts,
    };
  }
  const message = findStep(flow, WEEKLY_CHECKIN_ITEMS.message);
  const done = { checkinDoneWeek: session.week };
  if (message === undefined) {
    return { parts: [...lead, m.checkinDone], session: null, answers, completed, alerts, changes: done };
  }
  return {
    parts: [...lead, m.ack, allChildrenQuestion(ctx, message)],
    session: {
      ...session,
      stepId: message.id,
      attempts: 0,
      form: 'one-message',
      expiresAt: expiresAt(ctx),
    },
    answers,
    completed,
    alerts,
    changes: done,
  };
}

// A parent's side: the weekly "did you talk with your child?" (a session the scheduler opens), and
// free text, which becomes a message for the child whether or not a session is open.
function parentTurn(ctx: Context): Draft {
  const { contact, m, input } = ctx;
  const replies = PARENT_REPLIES[ctx.language];
  const session = ctx.live?.flowId === PARENT_WEEKLY_FLOW_ID ? ctx.live : undefined;
  const talked = findStep(parentWeeklyFlow, PARENT_STEPS.talked);
  const messageStep = findStep(parentWeeklyFlow, PARENT_STEPS.message);
  const idle = idleDraft(ctx, false);
  if (talked === undefined || messageStep === undefined || contact.children.length === 0) return idle;
  const names = joinNames(
    contact.children.map((c) => c.name),
    ctx.language,
  );
  const pleasantry = isPleasantry(input.text);
  if (isCallRequest(input.text)) return callRequest(ctx, names);

  switch (session?.stepId) {
    case PARENT_STEPS.talked: {
      const read = readAnswer(talked, input.text);
      if (read.kind === 'answered') {
        const yes = read.value === 1;
        return {
          parts: [yes ? replies.talkedYes(names) : replies.talkedNo(names)],
          session: { ...session, stepId: PARENT_STEPS.message, attempts: 0, expiresAt: expiresAt(ctx) },
          parentAnswers: [
            {
              contactId: contact.contactId,
              week: session.week,
              talked: yes,
              answeredAt: ctx.now.toISOString(),
            },
          ],
        };
      }
      if (pleasantry) return { parts: [replies.pleasantry], session };
      if (isMessageLike(input.text)) return keepMessage(ctx, session.week, messageStep, false);
      if (session.attempts < talked.maxReprompts) {
        return {
          parts: [m.notUnderstood, m.hint(talked.answer), question(ctx, talked, firstChild(contact))],
          session: { ...session, attempts: session.attempts + 1, expiresAt: expiresAt(ctx) },
        };
      }
      return { parts: [m.movingOn], session: null };
    }
    case PARENT_STEPS.message: {
      if (pleasantry || readAnswer(messageStep, input.text).kind === 'skipped') {
        return { parts: [replies.skipped], session: null };
      }
      return keepMessage(ctx, session.week, messageStep, false);
    }
    case PARENT_STEPS.more:
      // Acknowledged once already: the rest of what they are sending is kept quietly.
      if (pleasantry || !isMessageLike(input.text)) return { parts: null, session };
      return keepMessage(ctx, session.week, messageStep, true);
    default:
      if (pleasantry) return { parts: [replies.pleasantry], session: null };
      if (isMessageLike(input.text) && readAnswer(messageStep, input.text).kind === 'answered') {
        return keepMessage(ctx, isoWeekOf(ctx.now), messageStep, false);
      }
      return idle;
  }
}

/** 电话 / CALL at any step: the Centre arranges a call; an open session stays as it was. */
function callRequest(ctx: Context, names: string): Draft {
  const { contact, now } = ctx;
  return {
    parts: [PARENT_REPLIES[ctx.language].callRequested(names)],
    session: ctx.live ?? null,
    callRequests: [
      {
        centreId: contact.centreId,
        contactId: contact.contactId,
        contactName: contact.displayName,
        phone: contact.addresses.find((a) => a.channel === 'sms')?.address,
        children: contact.children.map((c) => ({ ...c })),
        week: isoWeekOf(now),
        requestedAt: now.toISOString(),
      },
    ],
  };
}

function firstChild(contact: ContactView): ChildRef {
  const child = contact.children[0];
  if (child === undefined) throw new RangeError('a contact without children has no first child');
  return child;
}

/** The message is for the children it names; naming none (or all) means all of the parent's. */
function keepMessage(ctx: Context, week: string, step: FlowStep, quietly: boolean): Draft {
  const { contact, now } = ctx;
  const read = readAnswer(step, ctx.input.text);
  const named = contact.children.filter((c) => read.raw.includes(c.name));
  const children = named.length > 0 ? named : contact.children;
  const record: ChildMessageRecord = {
    centreId: contact.centreId,
    fromContactId: contact.contactId,
    fromName: contact.displayName,
    children: children.map((c) => ({ ...c })),
    text: read.raw,
    truncated: read.truncated,
    week,
    receivedAt: now.toISOString(),
  };
  const session: Session = {
    flowId: parentWeeklyFlow.id,
    flowVersion: parentWeeklyFlow.version,
    week,
    childIndex: 0,
    stepId: PARENT_STEPS.more,
    attempts: 0,
    startedAt: ctx.live?.startedAt ?? now.toISOString(),
    expiresAt: new Date(now.getTime() + PARENT_MESSAGE_BURST_MINUTES * 60_000).toISOString(),
  };
  const names = joinNames(
    children.map((c) => c.name),
    ctx.language,
  );
  return {
    parts: quietly ? null : [PARENT_REPLIES[ctx.language].messageKept(names)],
    session,
    childMessages: [record],
  };
}

const PLEASANTRY_KEYS = new Set(PLEASANTRIES.map((p) => stripForComparison(p)));

function stripForComparison(text: string): string {
  return compactInput(text).replace(/[\p{P}\p{S}]/gu, '');
}

function isPleasantry(text: string): boolean {
  return PLEASANTRY_KEYS.has(stripForComparison(text));
}

/** Words, not a number or a stray letter: at least two letters (汉字 or Latin). */
function isMessageLike(text: string): boolean {
  return (text.match(/\p{L}/gu)?.length ?? 0) >= 2;
}
