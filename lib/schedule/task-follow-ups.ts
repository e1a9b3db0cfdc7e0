// A coordinators' task's escalation, written in the due index with the task (a day on): if the task
// is still open and no one has acknowledged it, tell every coordinator of the Centre once — not
// urgent, unlike an alert's (a carer who stopped answering can wait for the morning) — and record
// it on the task. Done or not needed, the follow-up leaves the due index.
import { needsEscalating } from '#lib/domain/alert-escalation.ts';
import { COORDINATOR_TEXT_MESSAGES } from '#lib/domain/coordinator-messages.ts';
import { composeReply } from '#lib/domain/message-catalog.ts';
import { missedCheckinsEscalationText } from '#lib/domain/weekly-messages.ts';
import { toEveryCoordinator } from '#lib/schedule/alert-follow-ups.ts';
import type { TickContext } from '#lib/schedule/tick-context.ts';
import type { TaskFollowUpRow } from '#lib/store/tasks/coordinator-task-repository.ts';

export async function processTaskFollowUp(tick: TickContext, row: TaskFollowUpRow): Promise<void> {
  const { tasks, roster, logger } = tick.deps;
  const task = await tasks.get(row.centreId, row.taskId);
  if (task && needsEscalating(task)) {
    // The carer's number as it is now (the task keeps only the name).
    const carer = await roster.getContact(task.contactId);
    const carerPhone = carer?.addresses.find((a) => a.channel === 'sms')?.address;
    const ref = await tick.deps.references?.assign('task', task.centreId, task.taskId);
    const told = await toEveryCoordinator(tick, task.centreId, (coordinator) => {
      const m = COORDINATOR_TEXT_MESSAGES[coordinator.language];
      return {
        key: `task-escalation#${task.taskId}#${coordinator.contactId}`,
        body:
          task.kind === 'missed-checkins'
            ? missedCheckinsEscalationText({
                language: coordinator.language,
                carerName: task.contactName,
                carerPhone,
                children: task.childNames,
                optedOut: task.optedOut,
                ref,
              })
            : composeReply(coordinator.language, [
                m.taskEscalation({ ref: ref ?? 'T?', what: m.taskWhat(task) }, carerPhone),
              ]),
        kind: 'task',
      };
    });
    await tasks.recordEscalated(task.centreId, task.taskId, tick.now, told);
    logger.info('task escalated to every coordinator', { taskId: task.taskId, centreId: task.centreId });
  }
  await tasks.clearFollowUp(row, tick.now);
  tick.report.steps++;
}
