// Broadcasts end to end: preview, compose, approve, cancel, fan out and report. The API and the
// coordinator's GB text message both use this; the scheduler tick runs the fan-out when it is due.
import { randomUUID } from 'node:crypto';
import {
  type BroadcastPreview,
  type BroadcastSource,
  type BroadcastTarget,
  type BroadcastTexts,
  broadcastBody,
  broadcastMessageKey,
  type Exclusions,
  noExclusions,
  type PreviewPrices,
  PreviewTally,
  REPORT_GROUPS,
  type ReportGroup,
  reportGroupOf,
  selectRecipients,
} from '#lib/domain/broadcast.ts';
import {
  broadcastTemplateError,
  broadcastTemplateRefusals,
  type TemplateCarrier,
  type TemplateRefusal,
} from '#lib/domain/broadcast-template-limits.ts';
import { type FamilyMonthlyCost, familyMonthlyCosts } from '#lib/domain/family-cost.ts';
import type { EnqueueRequest } from '#lib/domain/outbound-message.ts';
import { ConfigError, ConflictError, NotFoundError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';
import type { BatchOutboundPort } from '#lib/ports/outbound.ts';
import type {
  BroadcastRepository,
  StatusCounts,
  StoredBroadcast,
} from '#lib/store/broadcasts/broadcast-repository.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export interface BroadcastPricing {
  /** Price of one outbound SMS segment (the preview's estimate). */
  perSegment: number;
  currency: string;
  /** Who carries +86 mobiles and the domestic providers' prices (CNY per billed message). */
  domestic?: PreviewPrices['domestic'];
}

/** A family's month on each provider changes only with the prices: worked out once per set. */
const familyCosts = new Map<string, FamilyMonthlyCost[]>();
function familyCostsAt(pricing: BroadcastPricing): FamilyMonthlyCost[] | undefined {
  const domestic = pricing.domestic?.perSegment;
  if (domestic === undefined) return undefined;
  const key = JSON.stringify([pricing.perSegment, pricing.currency, domestic]);
  let costs = familyCosts.get(key);
  if (!costs) {
    costs = familyMonthlyCosts({ domestic, twilio: pricing });
    familyCosts.set(key, costs);
  }
  return costs;
}

export interface BroadcastDependencies {
  broadcasts: BroadcastRepository;
  roster: Pick<RosterRepository, 'getCentre'>;
  outbound: BatchOutboundPort;
  clock: Clock;
  logger: Logger;
  /** Only the entry points that preview need it (not the scheduler tick, which only fans out). */
  pricing?: BroadcastPricing | undefined;
  /**
   * The providers that may carry it to +86 mobiles, each with its variable limit: the preview says
   * which cannot carry a text, and compose and approve refuse it. Unset where nothing previews.
   */
  carriers?: readonly TemplateCarrier[] | undefined;
  /** Membership links read per page (planning and fan-out). */
  pageSize?: number;
  /** Recipients fanned out, counted once a page's progress is saved (a page done again counts once). */
  metrics?: BusinessMetrics | undefined;
}

export interface BroadcastReport {
  recipients: number;
  groups: Record<ReportGroup, number>;
  /** The outbound statuses behind the groups, e.g. `undelivered` within failed. */
  statuses: StatusCounts;
}

export interface ComposeInput {
  broadcastId?: string | undefined;
  target: BroadcastTarget;
  texts: BroadcastTexts;
  source: BroadcastSource;
  createdBy: string;
}

/** Broadcasts are not worth sending two days late (a tick outage, a long queue). */
const LIFETIME_MS = 48 * 60 * 60 * 1000;

export class BroadcastService {
  readonly #deps: BroadcastDependencies;
  readonly #pageSize: number;

  constructor(deps: BroadcastDependencies) {
    this.#deps = deps;
    this.#pageSize = deps.pageSize ?? 500;
  }

  /** Who would receive it now, what it costs: reads the targeted Centres' members page by page. */
  async preview(target: BroadcastTarget, texts: BroadcastTexts): Promise<BroadcastPreview> {
    const pricing = this.#deps.pricing;
    if (!pricing) throw new ConfigError('previewing a broadcast needs the SMS price');
    const names = await this.#centreNames(target.centreIds);
    const refusals = this.#refusals(target, texts, names);
    const tally = new PreviewTally(texts, names);
    for (const centreId of target.centreIds) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.#deps.broadcasts.candidates(centreId, startKey, this.#pageSize);
        const categoriesOf = new Map(page.candidates.map((c) => [c.contactId, c.categories]));
        for (const r of selectRecipients(page.candidates, target, texts, tally.excluded).recipients)
          tally.add(r, categoriesOf.get(r.contactId));
        startKey = page.next;
      } while (startKey);
    }
    const costPerFamilyMonth = familyCostsAt(pricing);
    return {
      ...tally.result(pricing),
      ...(costPerFamilyMonth ? { costPerFamilyMonth } : {}),
      ...(refusals.length > 0 ? { templateRefusals: refusals } : {}),
    };
  }

  /** The texts a +86 provider's templates cannot carry (for any Centre of the target). */
  #refusals(
    target: BroadcastTarget,
    texts: BroadcastTexts,
    names: ReadonlyMap<string, string>,
  ): TemplateRefusal[] {
    const carriers = this.#deps.carriers ?? [];
    if (carriers.length === 0) return [];
    const centreNames = target.centreIds.map((id) => names.get(id) ?? '');
    return broadcastTemplateRefusals(target, texts, centreNames, carriers);
  }

  /** A draft with its preview; the same broadcastId twice gives the first one back. */
  async compose(input: ComposeInput): Promise<StoredBroadcast> {
    const broadcastId = input.broadcastId ?? randomUUID();
    const existing = await this.#deps.broadcasts.get(broadcastId);
    if (existing) return existing;
    const preview = await this.preview(input.target, input.texts);
    // Nothing is written for a notice the providers would refuse at every +86 phone.
    if (preview.templateRefusals) throw broadcastTemplateError(preview.templateRefusals);
    const draft = {
      broadcastId,
      centreIds: input.target.centreIds,
      target: input.target,
      texts: input.texts,
      source: input.source,
      createdBy: input.createdBy,
      createdAt: this.#deps.clock.now().toISOString(),
      preview: { ...preview },
    };
    await this.#deps.broadcasts.create(draft);
    const stored = await this.#deps.broadcasts.get(broadcastId);
    if (!stored) throw new NotFoundError('broadcast vanished after it was written');
    this.#deps.logger.info('broadcast composed', {
      broadcastId,
      source: input.source,
      recipients: preview.recipients,
    });
    return stored;
  }

  list(centreId: string, limit: number): Promise<StoredBroadcast[]> {
    return this.#deps.broadcasts.listForCentre(centreId, limit);
  }

  async get(broadcastId: string): Promise<StoredBroadcast> {
    const b = await this.#deps.broadcasts.get(broadcastId);
    if (!b) throw new NotFoundError('no such broadcast');
    return b;
  }

  /**
   * Approve a draft to go at `sendAt` (default now). Approving twice is a conflict, not a second
   * send; a time in the past means now.
   */
  async approve(broadcastId: string, by: string, sendAt?: Date): Promise<StoredBroadcast> {
    const now = this.#deps.clock.now();
    const at = sendAt && sendAt > now ? sendAt : now;
    // Checked again: the provider or its limit may have changed since the draft was composed.
    const draft = await this.#deps.broadcasts.get(broadcastId);
    if (draft?.status === 'draft') {
      const refusals = this.#refusals(draft.target, draft.texts, await this.#centreNames(draft.centreIds));
      if (refusals.length > 0) throw broadcastTemplateError(refusals);
    }
    const outcome = await this.#deps.broadcasts.approve(broadcastId, by, now, at);
    if (outcome === 'not-found') throw new NotFoundError('no such broadcast');
    if (outcome === 'conflict') throw new ConflictError('only a draft can be approved');
    this.#deps.logger.info('broadcast approved', { broadcastId, sendAt: at.toISOString() });
    return this.get(broadcastId);
  }

  async cancel(broadcastId: string, by: string): Promise<StoredBroadcast> {
    const outcome = await this.#deps.broadcasts.cancel(broadcastId, by, this.#deps.clock.now());
    if (outcome === 'not-found') throw new NotFoundError('no such broadcast');
    if (outcome === 'conflict') throw new ConflictError('already cancelled');
    this.#deps.logger.info('broadcast cancelled', { broadcastId });
    return this.get(broadcastId);
  }

  /** Drop a draft (never approved); false when it is no longer a draft. */
  async discard(broadcastId: string, by: string): Promise<boolean> {
    return (await this.#deps.broadcasts.discard(broadcastId, by, this.#deps.clock.now())) === 'done';
  }

  async report(broadcast: Pick<StoredBroadcast, 'broadcastId' | 'status'>): Promise<BroadcastReport> {
    const statuses = await this.#deps.broadcasts.statusCounts(broadcast.broadcastId);
    const groups = Object.fromEntries(REPORT_GROUPS.map((g) => [g, 0])) as Record<ReportGroup, number>;
    let recipients = 0;
    for (const [status, count] of Object.entries(statuses)) {
      const group = reportGroupOf(status === 'planned' ? undefined : status);
      // Once cancelled, a message still waiting (quiet hours, the queue) can never be claimed: it
      // is cancelled already, though the worker records it only when it comes to it.
      groups[
        group === 'queued' && status !== 'sending' && broadcast.status === 'cancelled' ? 'cancelled' : group
      ] += count;
      recipients += count;
    }
    return { recipients, groups, statuses };
  }

  /**
   * Enqueue every recipient's message, page by page, saving progress after each page so a run cut
   * short (time budget, crash) goes on where it stopped. Each message's key is one per broadcast and
   * contact, so a page done twice sends nothing twice. Stops when the broadcast is cancelled.
   * Returns whether the fan-out finished.
   */
  async fanOut(
    broadcastId: string,
    options: { budgetMs: number },
  ): Promise<'sent' | 'unfinished' | 'not-due'> {
    const started = Date.now();
    const now = this.#deps.clock.now();
    const b = await this.#deps.broadcasts.get(broadcastId);
    if (!b || !(b.status === 'scheduled' || b.status === 'sending')) return 'not-due';
    if (b.sendAt && Date.parse(b.sendAt) > now.getTime()) return 'not-due';
    if ((await this.#deps.broadcasts.startSending(broadcastId, now)) !== 'done') return 'not-due';

    const names = await this.#centreNames(b.centreIds);
    const expiresAt = new Date(Date.parse(b.sendAt ?? now.toISOString()) + LIFETIME_MS);
    let cursor = b.cursor ?? { centre: 0 };
    let planned = b.planned;
    const excluded: Exclusions = b.excluded ?? noExclusions();
    // At least one page per run, however little time is left, so every run makes progress.
    for (let first = true; cursor.centre < b.target.centreIds.length; first = false) {
      if (!first && Date.now() - started > options.budgetMs) return 'unfinished';
      const centreId = b.target.centreIds[cursor.centre] ?? '';
      const page = await this.#deps.broadcasts.candidates(centreId, cursor.startKey, this.#pageSize);
      const { recipients } = selectRecipients(page.candidates, b.target, b.texts, excluded);
      await this.#deps.broadcasts.putRecipients(broadcastId, recipients);
      const requests = recipients.map(
        (r): EnqueueRequest => ({
          key: broadcastMessageKey(broadcastId, r.contactId),
          recipient: { contactId: r.contactId, ...r.address, quietHours: r.quietHours },
          body: broadcastBody(b.texts[r.language] ?? '', names.get(r.centreId) ?? '', r.language),
          kind: 'broadcast',
          expiresAt,
          broadcastId,
        }),
      );
      await this.#deps.outbound.enqueueMany(requests);
      planned += recipients.length;
      cursor = page.next ? { centre: cursor.centre, startKey: page.next } : { centre: cursor.centre + 1 };
      const saved = await this.#deps.broadcasts.saveProgress(broadcastId, { cursor, planned, excluded });
      if (saved !== 'done') {
        this.#deps.logger.info('broadcast fan-out stopped: cancelled meanwhile', { broadcastId });
        return 'not-due';
      }
      if (recipients.length > 0) this.#deps.metrics?.count(METRIC.broadcastRecipients, {}, recipients.length);
    }
    if ((await this.#deps.broadcasts.finish(broadcastId, this.#deps.clock.now())) !== 'done') {
      this.#deps.logger.info('broadcast fan-out done, but it was cancelled meanwhile', { broadcastId });
      return 'not-due';
    }
    this.#deps.logger.info('broadcast fanned out', { broadcastId, planned, excluded });
    return 'sent';
  }

  async #centreNames(centreIds: readonly string[]): Promise<Map<string, string>> {
    const centres = await Promise.all(centreIds.map((id) => this.#deps.roster.getCentre(id)));
    return new Map(centres.flatMap((c) => (c ? [[c.centreId, c.name] as const] : [])));
  }
}
