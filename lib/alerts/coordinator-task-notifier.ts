// A new coordinators' task raised outside the scheduler tick (GB locked after wrong PINs, a parent
// asking for a call): numbered (T3) and sent to every coordinator of the Centre, not urgent (quiet
// hours hold it), once per task and coordinator.
import { COORDINATOR_TEXT_MESSAGES } from '#lib/domain/coordinator-messages.ts';
import { composeReply } from '#lib/domain/message-catalog.ts';
import { preferredAddress } from '#lib/domain/preferred-address.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { CoordinatorTaskRepository, NewTask } from '#lib/store/tasks/coordinator-task-repository.ts';
import type { WorkReferenceRepository } from '#lib/store/tasks/work-reference-repository.ts';

export interface TaskRaiser {
  /** Raises the task (once per id) and tells the Centre's coordinators; false when it existed. */
  raise(task: NewTask, phone: string | undefined): Promise<boolean>;
}

export class CoordinatorTaskNotifier implements TaskRaiser {
  constructor(
    private readonly deps: {
      tasks: Pick<CoordinatorTaskRepository, 'raise'>;
      references: Pick<WorkReferenceRepository, 'assign'>;
      roster: Pick<RosterRepository, 'listCentreContacts' | 'getContact'>;
      outbound: OutboundPort;
      logger: Pick<Logger, 'info' | 'error'>;
    },
  ) {}

  async raise(task: NewTask, phone: string | undefined): Promise<boolean> {
    const { deps } = this;
    const created = await deps.tasks.raise(task);
    // Told again on a retry (the keys make it once): a first attempt may have died before telling.
    const ref = (await deps.references.assign('task', task.centreId, task.taskId, task.contactId)) ?? 'T?';
    const links = await deps.roster.listCentreContacts(task.centreId, 'coordinator');
    for (const link of links) {
      const coordinator = await deps.roster.getContact(link.contactId);
      if (!coordinator || coordinator.optedOut) continue;
      const to = preferredAddress(coordinator);
      if (!to) continue;
      const m = COORDINATOR_TEXT_MESSAGES[coordinator.language];
      await deps.outbound.enqueue({
        key: `task#${task.taskId}#${coordinator.contactId}`,
        recipient: { contactId: coordinator.contactId, ...to, quietHours: coordinator.quietHours },
        body: composeReply(coordinator.language, [m.taskNotice({ ref, what: m.taskWhat(task) }, phone)]),
        kind: 'task',
      });
    }
    if (created)
      deps.logger.info('task raised', { taskId: task.taskId, centreId: task.centreId, kind: task.kind });
    return created;
  }
}
