// When the scheduler tick looks at an alert again: shortly after it was raised, to make sure the
// coordinators were told (the turn's own notification may have died with its process), and a day
// later, to tell every coordinator of the Centre if no one has acknowledged it yet. A coordinators'
// task (lib/schedule/task-follow-ups.ts) is escalated the same way, a day after it was raised.

/** The tick makes sure the coordinators were told this long after the alert was raised. */
export const ALERT_NOTIFY_CHECK_MS = 2 * 60 * 1000;
/** An alert still open and unacknowledged this long after it was raised is escalated. */
export const ALERT_ESCALATE_AFTER_MS = 24 * 60 * 60 * 1000;

export type AlertFollowUp = 'notify' | 'escalate';
export const ALERT_FOLLOW_UPS: readonly AlertFollowUp[] = ['notify', 'escalate'];

/** When each follow-up of an alert raised at `raisedAt` is due. */
export function alertFollowUpDueAt(step: AlertFollowUp, raisedAt: string): Date {
  const raised = Date.parse(raisedAt);
  return new Date(raised + (step === 'notify' ? ALERT_NOTIFY_CHECK_MS : ALERT_ESCALATE_AFTER_MS));
}

/** A coordinators' task (two missed weeks) still open and unacknowledged a day on is escalated alike. */
export const TASK_ESCALATE_AFTER_MS = ALERT_ESCALATE_AFTER_MS;

/** When a task raised at `raisedAt` is escalated, if no one has acknowledged it by then. */
export function taskEscalationDueAt(raisedAt: string): Date {
  return new Date(Date.parse(raisedAt) + TASK_ESCALATE_AFTER_MS);
}

/** The alert (or task: the same fields) as a follow-up needs it: its state, as coordinators and the tick leave it. */
export interface AlertState {
  /** 'open' until a coordinator closes it. */
  status: string;
  acknowledgedAt?: string | undefined;
  escalatedAt?: string | undefined;
}

/** Coordinators are (still) to be told: the alert is open and no one has acknowledged it. */
export const needsNotifying = (alert: AlertState): boolean =>
  alert.status === 'open' && alert.acknowledgedAt === undefined;

/** Escalate once: open, unacknowledged after a day, and not escalated before. */
export const needsEscalating = (alert: AlertState): boolean =>
  needsNotifying(alert) && alert.escalatedAt === undefined;
