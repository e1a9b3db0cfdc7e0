// Checks the PIN of a coordinator's GB: right, wrong (counted; the last allowed wrong try locks GB
// for that coordinator and raises a task for the Centre), locked, or never set.
import type { TaskRaiser } from '#lib/alerts/coordinator-task-notifier.ts';
import { GB_PIN_MAX_FAILURES, verifyPin } from '#lib/broadcasts/gb-pin.ts';
import type { ContactView } from '#lib/domain/model.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { GbPinRepository } from '#lib/store/broadcasts/gb-pin-repository.ts';

export type PinVerdict =
  | { kind: 'ok' }
  | { kind: 'not-set' }
  | { kind: 'locked' }
  | { kind: 'wrong'; left: number };

export interface GbPinCheck {
  check(contact: ContactView, pin: string, messageId: string, now: Date): Promise<PinVerdict>;
}

export class GbPinGuard implements GbPinCheck {
  constructor(
    private readonly deps: {
      pins: Pick<GbPinRepository, 'get' | 'recordFailure' | 'clearFailures'>;
      tasks: TaskRaiser;
      logger: Pick<Logger, 'warn' | 'error'>;
    },
  ) {}

  async check(contact: ContactView, pin: string, messageId: string, now: Date): Promise<PinVerdict> {
    const { pins, logger } = this.deps;
    const stored = await pins.get(contact.contactId);
    if (!stored) return { kind: 'not-set' };
    if (stored.lockedAt !== undefined) return { kind: 'locked' };
    if (await verifyPin(pin, stored)) {
      if ((stored.failedMessages?.size ?? 0) > 0) await pins.clearFailures(contact.contactId);
      return { kind: 'ok' };
    }
    const { failures, lockedNow } = await pins.recordFailure(
      contact.contactId,
      messageId,
      GB_PIN_MAX_FAILURES,
      now,
    );
    // Never the PIN typed: only that it was wrong, and how often.
    logger.warn('GB with a wrong PIN', { contactId: contact.contactId, failures });
    if (failures < GB_PIN_MAX_FAILURES) return { kind: 'wrong', left: GB_PIN_MAX_FAILURES - failures };
    // Raised on every try that finds it locked (once per lock: the id), in case an earlier one failed.
    await this.#raiseTask(contact, stored.setAt, now);
    if (lockedNow) logger.warn('GB locked after wrong PINs', { contactId: contact.contactId });
    return { kind: 'locked' };
  }

  /** Once per lock (the PIN's setting names it): a retried turn raises nothing new. */
  async #raiseTask(contact: ContactView, pinSetAt: string, now: Date): Promise<void> {
    try {
      await this.deps.tasks.raise(
        {
          taskId: `gb-locked#${contact.contactId}#${pinSetAt}`,
          centreId: contact.centreId,
          kind: 'gb-locked',
          contactId: contact.contactId,
          contactName: contact.displayName,
          childIds: [],
          childNames: [],
          weeks: [],
          optedOut: false,
          raisedAt: now.toISOString(),
        },
        undefined,
      );
    } catch (error) {
      // GB stays locked whether or not the task could be raised now.
      this.deps.logger.error('GB locked but its task not raised', {
        contactId: contact.contactId,
        error: error as Error,
      });
    }
  }
}
