// One inbound message in, everything it changes out. Pure: no I/O, and time is an input, so a
// replayed turn computes the same outcome (the store makes it count once).
import { type Flow, type FlowStep, findStep, nextStepId, renderStepText } from '#lib/domain/flow-schema.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { detectKeyword, type Keyword } from '#lib/domain/keywords.ts';
import {
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
  ChildRef,
  CompletedCheckin,
  ContactChanges,
  ContactView,
  Language,
  Session,
} from '#lib/domain/model.ts';
import { alertsOnValue, readAnswer } from '#lib/domain/step-answer.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';

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
}

const FLOWS: ReadonlyMap<string, Flow> = new Map([[weeklyCheckinFlow.id, weeklyCheckinFlow]]);
const HOUR_MS = 60 * 60 * 1000;

/** What a turn decided, before the reply is composed. `parts: null` means stay silent. */
interface Draft {
  parts: string[] | null;
  session: Session | null;
  answers?: AnswerRecord[];
  completed?: CompletedCheckin[];
  alerts?: AlertRecord[];
  changes?: ContactChanges;
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
  return {
    replies,
    session: draft.session,
    answers: draft.answers ?? [],
    completed: draft.completed ?? [],
    alerts: draft.alerts ?? [],
    contactChanges: changes,
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
      parts: [ctx.m.optedIn, ...resumeOrInvite(ctx)],
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
      return { parts: [ctx.m.alreadySubscribed, ...resumeOrInvite(ctx)], session: unchanged };
    case 'help':
      return {
        parts: [ctx.m.help(ctx.contact, { carer: isCarer(ctx), optedOut: false }), ...resume(ctx)],
        session: unchanged,
      };
    case 'checkin':
      return startCheckin(ctx);
    case undefined: {
      const position = ctx.live === undefined ? undefined : resolve(ctx, ctx.live);
      if (position === undefined) return { parts: [ctx.m.idle({ carer: isCarer(ctx) })], session: null };
      return answer(ctx, position);
    }
    default: {
      const changes: ContactChanges =
        keyword.language === ctx.contact.language ? {} : { language: keyword.language };
      return { parts: [ctx.m.languageSet, ...resume(ctx)], session: unchanged, changes };
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
  const step = flow === undefined ? undefined : findStep(flow, session.stepId);
  const child = ctx.contact.children[flow?.perChild ? session.childIndex : 0];
  if (flow === undefined || step === undefined || child === undefined) return undefined;
  return { session, flow, step, child };
}

function question(ctx: Context, step: FlowStep, child: ChildRef): string {
  return renderStepText(step, ctx.language, child.name);
}

/** The open question again, after a keyword interrupted it. */
function resume(ctx: Context): string[] {
  const position = ctx.live === undefined ? undefined : resolve(ctx, ctx.live);
  return position === undefined ? [] : [question(ctx, position.step, position.child)];
}

function resumeOrInvite(ctx: Context): string[] {
  const again = resume(ctx);
  if (again.length > 0) return again;
  return isCarer(ctx) && ctx.contact.children.length > 0 ? [ctx.m.replyCheckin] : [];
}

function startCheckin(ctx: Context): Draft {
  const { contact, m } = ctx;
  const unchanged = ctx.live ?? null;
  if (!isCarer(ctx)) return { parts: [m.checkinIsForCarers(contact)], session: unchanged };
  const flow = weeklyCheckinFlow;
  const first = flow.steps[0];
  const child = contact.children[0];
  if (child === undefined || first === undefined)
    return { parts: [m.noChildren(contact)], session: unchanged };
  // Restarting an open check-in starts it over: the new answers replace the earlier ones.
  const session: Session = {
    flowId: flow.id,
    flowVersion: flow.version,
    week: isoWeekOf(ctx.now),
    childIndex: 0,
    stepId: first.id,
    attempts: 0,
    startedAt: ctx.now.toISOString(),
    expiresAt: expiresAt(ctx),
  };
  return { parts: [m.checkinIntro(child.name), question(ctx, first, child)], session };
}

function answer(ctx: Context, position: Position): Draft {
  const { m, contact, now } = ctx;
  const { session, flow, step, child } = position;
  const read = readAnswer(step, ctx.input.text);
  // A flow asked once (not per child) holds for every child of the contact.
  const subjects = flow.perChild ? [child] : contact.children;
  const harmWords = read.kind === 'skipped' ? [] : read.harmWords;
  const alerts: AlertRecord[] = [];
  const alert = (reason: AlertRecord['reason'], value: AnswerValue) => {
    for (const c of subjects) {
      alerts.push({
        alertId: `${c.childId}#${session.week}#${step.id}`,
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
    };
    // No undefined-valued keys: the store marshals records as they are.
    if (value !== undefined) record.value = value;
    return record;
  });
  const lead = read.kind === 'invalid' ? [m.movingOn] : [];

  const nextId = nextStepId(flow, step.id, value);
  const next = nextId === undefined ? undefined : findStep(flow, nextId);
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
        stepId: first.id,
        attempts: 0,
        expiresAt: expiresAt(ctx),
      },
      answers,
      completed,
      alerts,
    };
  }
  return { parts: [...lead, ...harmNote, m.checkinDone], session: null, answers, completed, alerts };
}
