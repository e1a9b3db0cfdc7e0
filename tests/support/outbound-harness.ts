import type { Config } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { processDelivery, type SendWorkerDependencies } from '#lib/outbound/send-worker.ts';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import type { ManualClock } from '#lib/ports/clock.ts';
import type { Adapters } from '#lib/wiring/adapters.ts';
import { createSendWorkerDependencies } from '#lib/wiring/send-worker.ts';
import type { TestTable } from '#tests/support/test-table.ts';

/**
 * The real send path on a test table: an in-process queue on a manual clock, and the real send
 * worker with the given channel. `drain()` runs the worker over everything visible now.
 */
export function outboundHarness(
  config: Config,
  table: TestTable,
  clock: ManualClock,
  sms: OutboundChannel,
  tweak: (deps: SendWorkerDependencies) => SendWorkerDependencies = (d) => d,
) {
  const queue = new InProcessQueue({
    clock,
    visibilityTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS * 2,
    maxReceiveCount: config.SEND_MAX_ATTEMPTS + 5,
  });
  const adapters: Adapters = { client: table.client, clock, queue };
  const logger = createLogger('test-send-worker');
  logger.setLogLevel('SILENT');
  const worker = tweak(createSendWorkerDependencies(config, logger, adapters, sms));
  return {
    queue,
    adapters,
    worker,
    /** The enqueue side on the same table, queue and clock. */
    outbound: new OutboundService({ repository: worker.repository, queue, clock, logger }),
    drain: (concurrency = 4) =>
      queue.drain((delivery, control) => processDelivery(delivery, control, worker), { concurrency }),
  };
}
