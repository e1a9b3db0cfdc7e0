import type { TaskRaiser } from '#lib/alerts/coordinator-task-notifier.ts';
import {
  type CoordinatorWorkDependencies,
  coordinatorWorkByText,
} from '#lib/alerts/coordinator-text-commands.ts';
import { type BroadcastCommands, broadcastBySms, maskGbPin } from '#lib/broadcasts/gb-command.ts';
import type { GbPinCheck } from '#lib/broadcasts/gb-pin-guard.ts';
import { runTurn, type TurnOutcome, unregisteredReply } from '#lib/domain/conversation-engine.ts';
import type { AlertRecord, ContactView, Session } from '#lib/domain/model.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { DependencyError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { ConversationStore, InboundMessage } from '#lib/ports/conversation-store.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';

export interface AlertNotifier {
  /** Tell the Centre's coordinators; the alert itself is already stored and stays open. */
  notify(alerts: AlertRecord[], raisedBy: ContactView): Promise<void>;
}

export interface InboundDependencies {
  store: ConversationStore;
  clock: Clock;
  logger: Logger;
  alerts: AlertNotifier;
  sessionTtlHours: number;
  /** Coordinators' broadcasts by text (GB …, YES); without it, GB is an ordinary message. */
  broadcasts?: BroadcastCommands | undefined;
  /** The PIN a GB must carry; GB is off without it (the sender number alone can be forged). */
  broadcastPins?: GbPinCheck | undefined;
  /** Raises a parent's call request (电话 / CALL) as a task for the Centre's coordinators. */
  tasks?: TaskRaiser | undefined;
  /** Coordinators answering alerts and tasks by text (收到 A7, 完成 A7 …, A7 ?), and their HELP. */
  coordinatorWork?: CoordinatorWorkDependencies | undefined;
  /** Check-ins started and completed, answers and alerts, counted once per committed turn. */
  metrics?: BusinessMetrics | undefined;
}

// Concurrent messages from one phone race on the session version; a loser re-reads and retries.
const MAX_ATTEMPTS = 8;

/**
 * One inbound message → the replies to send back. Idempotent on messageId: a redelivery gets the
 * replies the first delivery got and changes nothing. If processing fails, the message is kept
 * (UNPROCESSED) so the answer is not lost, and the error is rethrown for a 500.
 */
export async function handleInboundMessage(
  inbound: InboundMessage,
  deps: InboundDependencies,
): Promise<string[]> {
  try {
    return await processTurn(inbound, deps);
  } catch (error) {
    deps.logger.error('inbound message not processed; keeping it for replay', {
      messageId: inbound.messageId,
      from: inbound.from,
      error: error as Error,
    });
    // Kept with a GB's PIN masked: a broadcast is never replayed, and a PIN never stored in clear.
    await deps.store
      .recordUnprocessed(
        { ...inbound, body: maskGbPin(inbound.body) },
        error instanceof Error ? error.message : String(error),
        deps.clock.now(),
      )
      .catch((keepError: unknown) =>
        deps.logger.critical('could not keep unprocessed inbound message', {
          messageId: inbound.messageId,
          error: keepError as Error,
        }),
      );
    throw error instanceof DependencyError
      ? error
      : new DependencyError('inbound processing failed', { cause: error });
  }
}

async function processTurn(inbound: InboundMessage, deps: InboundDependencies): Promise<string[]> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const snapshot = await deps.store.loadTurn(inbound.channel, inbound.from, inbound.messageId);
    if (snapshot.processed) {
      deps.logger.info('duplicate delivery; replaying stored reply', { messageId: inbound.messageId });
      return snapshot.processed.replies;
    }
    if (!snapshot.contact) {
      const reply = await deps.store.recordUnregistered(inbound, now);
      deps.logger.info('message from an unregistered address', { from: inbound.from, replied: reply });
      return reply ? [unregisteredReply()] : [];
    }
    const outcome = await decideTurn(inbound, snapshot.contact, snapshot.session?.session, now, deps);
    // Before the commit, and once per parent and week (the task's id): a failure here keeps the
    // message for replay, so the request is not lost; a replay raises nothing twice.
    await raiseCallRequests(outcome, deps);
    const result = await deps.store.commitTurn({
      // The message log keeps what was said, but never a GB's PIN in clear.
      inbound: { ...inbound, body: maskGbPin(inbound.body) },
      contact: snapshot.contact,
      expectedSessionVersion: snapshot.session?.version,
      session: outcome.session,
      answers: outcome.answers,
      completed: outcome.completed,
      alerts: outcome.alerts,
      contactChanges: outcome.contactChanges,
      replies: outcome.replies,
      now,
      childMessages: outcome.childMessages,
      parentAnswers: outcome.parentAnswers,
    });
    if (result === 'committed') {
      countTurn(inbound.channel, snapshot.session?.session, outcome, deps.metrics);
      deps.logger.info('turn committed', {
        messageId: inbound.messageId,
        contactId: snapshot.contact.contactId,
        answers: outcome.answers.length,
        completed: outcome.completed.length,
        alerts: outcome.alerts.length,
      });
      if (outcome.alerts.length > 0) await notifyQuietly(outcome.alerts, snapshot.contact, deps);
      return outcome.replies;
    }
    // 'duplicate': another delivery of this message won; the next read returns its replies.
    // 'conflict': another message changed the session; the next read sees it.
    await sleep(Math.random() * 20 * attempt);
  }
  throw new DependencyError(`session still contended after ${MAX_ATTEMPTS} attempts`);
}

/** What a committed turn did, counted by the carer's channel (a redelivery or a replay commits once). */
function countTurn(
  channel: string,
  before: Session | undefined,
  outcome: TurnOutcome,
  metrics: BusinessMetrics | undefined,
): void {
  if (!metrics) return;
  const dims = { channel };
  const after = outcome.session;
  // A new run of the weekly check-in (not the 'message' run that only adds words to an answered week).
  if (
    after?.flowId === weeklyCheckinFlow.id &&
    after.mode !== 'message' &&
    after.startedAt !== before?.startedAt
  ) {
    metrics.count(METRIC.checkinsStarted, dims);
  }
  if (outcome.completed.length > 0) metrics.count(METRIC.checkinsCompleted, dims, outcome.completed.length);
  if (outcome.answers.length > 0) metrics.count(METRIC.answers, dims, outcome.answers.length);
  if (outcome.alerts.length > 0) metrics.count(METRIC.alertsRaised, dims, outcome.alerts.length);
}

/** A coordinator's broadcast command is answered first; everything else goes to the engine. */
async function decideTurn(
  inbound: InboundMessage,
  contact: ContactView,
  stored: Session | undefined,
  now: Date,
  deps: InboundDependencies,
): Promise<TurnOutcome> {
  let session = stored;
  // Opted-out coordinators stay on the engine's path, which is silent unless they ask to come back.
  const coordinator = contact.role === 'coordinator' && !contact.optedOut;
  if (coordinator && deps.broadcasts && deps.broadcastPins) {
    const turn = await broadcastBySms(
      { inbound, contact, session, now },
      deps.broadcasts,
      deps.broadcastPins,
      deps.logger,
    );
    if (turn.kind === 'handled') return turn.outcome;
    session = turn.session;
  }
  // Then their alerts and tasks (收到 A7 …) and HELP; a GB draft waiting was dropped above.
  if (coordinator && deps.coordinatorWork) {
    const text = inbound.body;
    const handled = await coordinatorWorkByText({ text, contact, session, now }, deps.coordinatorWork);
    if (handled) return handled;
  }
  return runTurn({ text: inbound.body, now, contact, session, sessionTtlHours: deps.sessionTtlHours });
}

async function raiseCallRequests(outcome: TurnOutcome, deps: InboundDependencies): Promise<void> {
  for (const r of outcome.callRequests ?? []) {
    if (!deps.tasks) {
      deps.logger.warn('call request not raised: no task raiser wired', { contactId: r.contactId });
      continue;
    }
    await deps.tasks.raise(
      {
        taskId: `parent-call#${r.contactId}#${r.week}`,
        centreId: r.centreId,
        kind: 'parent-call',
        contactId: r.contactId,
        contactName: r.contactName,
        childIds: r.children.map((c) => c.childId),
        childNames: r.children.map((c) => c.name),
        weeks: [r.week],
        optedOut: false,
        raisedAt: r.requestedAt,
      },
      r.phone,
    );
  }
}

/** The alert is stored already; a failed notification must not fail (or replay) the carer's turn. */
async function notifyQuietly(alerts: AlertRecord[], contact: ContactView, deps: InboundDependencies) {
  try {
    await deps.alerts.notify(alerts, contact);
  } catch (error) {
    deps.logger.error('alert stored but coordinators not notified', {
      alertIds: alerts.map((a) => a.alertId),
      error: error as Error,
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
