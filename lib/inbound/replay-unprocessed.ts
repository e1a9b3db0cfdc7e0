// A message kept after a failed turn comes back: the scheduler tick replays it through the same turn
// (idempotent on the message id, so a turn that did commit before failing is not done twice), sends
// the replies the person never got, and on another failure waits longer (REPLAY_BACKOFF_MINUTES);
// after the last try it stays listed for the coordinators and says so loudly (metric and alarm).
import { handleInboundMessage, type InboundDependencies } from '#lib/inbound/handle-inbound-message.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { UnprocessedRepository } from '#lib/store/conversation/unprocessed-repository.ts';
import type { ItemKey } from '#lib/store/keys.ts';

export interface ReplayDependencies {
  turns: InboundDependencies;
  unprocessed: UnprocessedRepository;
  outbound: OutboundPort;
  logger: Logger;
  /** Replayed and given-up counts (the alarm watches the second). */
  metrics?: BusinessMetrics | undefined;
}

export type ReplayOutcome = 'replayed' | 'retry' | 'gave-up' | 'gone';

export async function replayUnprocessed(key: ItemKey, deps: ReplayDependencies): Promise<ReplayOutcome> {
  const kept = await deps.unprocessed.get(key);
  if (!kept || kept.gaveUpAt) return 'gone';
  const inbound = {
    channel: kept.channel,
    from: kept.from,
    to: kept.to,
    body: kept.body,
    messageId: kept.messageId,
    receivedAt: kept.receivedAt,
  };
  let replies: string[];
  try {
    replies = await handleInboundMessage(inbound, deps.turns);
  } catch (error) {
    const now = deps.turns.clock.now();
    const outcome = await deps.unprocessed.failedAgain(
      kept,
      error instanceof Error ? error.message : String(error),
      now,
    );
    const log = { messageId: kept.messageId, attempts: kept.attempts + 1, error: error as Error };
    if (outcome === 'gave-up') {
      // The alarm on this metric (infra/constructs/alarms.ts) tells someone at once.
      deps.metrics?.count(METRIC.unprocessedGaveUp);
      deps.logger.critical('inbound message still not processed after its last replay', log);
    } else deps.logger.warn('replay of an unprocessed inbound message failed; it will be tried again', log);
    return outcome;
  }
  // The webhook that failed sent no reply: send it now (once per message and part), to the contact
  // who owns the address (an unknown sender's polite reply is not worth a late message).
  const contact = (await deps.turns.store.loadTurn(inbound.channel, inbound.from, inbound.messageId)).contact;
  for (const [i, body] of (contact ? replies : []).entries()) {
    await deps.outbound.enqueue({
      key: `replay#${inbound.channel}#${inbound.messageId}#${i}`,
      recipient: { contactId: contact?.contactId ?? '', channel: inbound.channel, address: inbound.from },
      body,
      kind: 'reply',
      ignoresOptOut: true,
    });
  }
  await deps.unprocessed.resolve(kept);
  deps.metrics?.count(METRIC.unprocessedReplayed);
  deps.logger.info('unprocessed inbound message replayed', {
    messageId: kept.messageId,
    replies: replies.length,
  });
  return 'replayed';
}
