// The parents' weekly update about one child: once the carer has finished the check-in (the turn
// that completes it puts it in the due index), or at the deadline without one, said honestly. A
// correction of last week made after its update went out is said in this one, never as a second update.
import { composeDigest, correctionSinceDigest, type ShareConsent } from '#lib/domain/parent-digest.ts';
import { preferredAddress } from '#lib/domain/preferred-address.ts';
import { addWeeks } from '#lib/domain/weekly-schedule.ts';
import type { TickContext } from '#lib/schedule/tick-context.ts';
import type { CheckinRecord } from '#lib/store/conversation/checkin-repository.ts';

export interface DigestSubject {
  childId: string;
  familyId: string;
  week: string;
  /** The completed check-in, or undefined when none came by the deadline. */
  checkin: CheckinRecord | undefined;
  expiresAt?: Date | undefined;
}

/** Sends each of the child's parents their update, once per (child, week, parent). */
export async function sendParentDigests(tick: TickContext, subject: DigestSubject): Promise<void> {
  const { deps } = tick;
  const family = await deps.schedules.familyForDigest(subject.familyId);
  const child = family?.children.find((c) => c.childId === subject.childId);
  if (!family || !child || family.parentIds.length === 0) return;
  const [parents, activities, lastWeek] = await Promise.all([
    deps.schedules.contactsWithSchedules(family.parentIds),
    tick.activities(family.centreId, subject.week),
    deps.checkins.getCheckin(subject.childId, addWeeks(subject.week, -1)),
  ]);
  const answers = finalAnswers(subject.checkin);
  const correction = correctedAfterDigest(lastWeek);
  for (const { contact, schedule } of parents) {
    if (contact.optedOut) continue;
    const to = preferredAddress(contact);
    if (!to) continue;
    // Their weekly question said how to stop already this week; otherwise this update does.
    const told =
      schedule?.decidedWeek === subject.week &&
      schedule.decidedStep === 'parent-checkin' &&
      schedule.decision === 'send';
    const body = composeDigest({
      language: contact.language,
      childName: child.name,
      checkin: subject.checkin ? { answers } : undefined,
      consent: child.consent satisfies ShareConsent,
      activities,
      stopHint: !told,
      correction,
    });
    await tick.enqueue({
      key: `digest#${subject.childId}#${subject.week}#${contact.contactId}`,
      recipient: { contactId: contact.contactId, ...to, quietHours: contact.quietHours },
      body,
      kind: 'digest',
      aboutChildId: subject.childId,
      expiresAt: subject.expiresAt,
    });
  }
}

function finalAnswers(checkin: CheckinRecord | undefined): Record<string, number | string | boolean> {
  const answers: Record<string, number | string | boolean> = {};
  for (const [item, answer] of Object.entries(checkin?.answers ?? {})) {
    if (answer.status === 'answered' && answer.value !== undefined) answers[item] = answer.value;
  }
  return answers;
}

/** What changed in a check-in after its parents' update went out (undefined: nothing to say). */
function correctedAfterDigest(
  checkin: CheckinRecord | undefined,
): Record<string, number | string | boolean> | undefined {
  if (!checkin?.digestAt || !checkin.correctedAt || checkin.correctedAt <= checkin.digestAt) return undefined;
  const changed = correctionSinceDigest(checkin.history, finalAnswers(checkin), checkin.digestAt);
  return Object.keys(changed).length > 0 ? (changed as Record<string, number | string | boolean>) : undefined;
}

/** A due row for a completed check-in: tell the parents, then take it out of the due index. */
export async function processCompletedCheckin(
  tick: TickContext,
  row: { childId: string; familyId: string; week: string; dueKey: string },
): Promise<void> {
  const checkin = await tick.deps.checkins.getCheckin(row.childId, row.week);
  if (checkin?.status === 'completed') {
    await sendParentDigests(tick, { ...row, checkin });
  }
  await tick.deps.schedules.clearCheckinDue(row.childId, row.week, row.dueKey, tick.now);
  tick.report.steps++;
}
