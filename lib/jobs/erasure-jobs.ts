// Erasure on request as a job: the API starts it (202 with its id) and runs a few steps at once; the
// scheduler tick carries on what is left (the job waits in the due index); anyone may read how far it
// got. A step retried after a failure does nothing twice (lib/store/roster/roster-erasure.ts), and two
// runners of one job never both apply a step (each save is conditional on the version read).
import { randomUUID } from 'node:crypto';
import type { Logger } from '#lib/observability/logger.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { JobRecord, JobRepository } from '#lib/store/jobs/job-repository.ts';
import type { ErasureJob, ErasurePlan, RosterErasure } from '#lib/store/roster/roster-erasure.ts';

export interface ErasureJobsOptions {
  jobs: JobRepository;
  erasure: RosterErasure;
  clock: Clock;
  logger: Logger;
}

/** Steps one due visit of the scheduler tick runs before leaving the job due for the next tick. */
export const TICK_JOB_STEPS = 200;

export class ErasureJobs {
  readonly #jobs: JobRepository;
  readonly #erasure: RosterErasure;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(opts: ErasureJobsOptions) {
    this.#jobs = opts.jobs;
    this.#erasure = opts.erasure;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
  }

  /** A new erasure job for the family or contact (checked when it plans: not there, `not-found`). */
  async start(
    kind: 'erase-family' | 'erase-contact',
    centreId: string,
    targetId: string,
    by: string,
  ): Promise<ErasureJob> {
    const at = this.#clock.now().toISOString();
    const plan: ErasurePlan = { targetId, planned: false, childIds: [], sources: [], index: 0 };
    return this.#jobs.create<ErasurePlan>({
      jobId: `job-${randomUUID()}`,
      centreId,
      kind,
      by,
      createdAt: at,
      updatedAt: at,
      status: 'running',
      steps: 0,
      deleted: {},
      plan,
      done: 0,
      total: 0,
    });
  }

  get(centreId: string, jobId: string): Promise<JobRecord | undefined> {
    return this.#jobs.get(centreId, jobId);
  }

  list(centreId: string): Promise<JobRecord[]> {
    return this.#jobs.list(centreId);
  }

  /**
   * Runs at most `maxSteps` steps of the job, and returns it as it then is (undefined: no such job).
   * Stops early when the job is finished or another runner wrote it meanwhile. A failed step is noted
   * on the job (its error's kind, no data) and thrown: the job stays due, and is retried.
   */
  async run(centreId: string, jobId: string, maxSteps: number): Promise<JobRecord | undefined> {
    let job = await this.#jobs.get<ErasurePlan>(centreId, jobId);
    for (let step = 0; job && job.status === 'running' && step < maxSteps; step++) {
      const current: ErasureJob = job;
      let next: ErasureJob | undefined;
      try {
        next = await this.#erasure.step(current, (n) => this.#jobs.save(n), this.#clock.now());
      } catch (error) {
        await this.#noteFailure(current, error);
        throw error;
      }
      // Another runner wrote it first: it carries on; this one reports what is there now.
      if (!next) return this.#jobs.get(centreId, jobId);
      job = next;
    }
    if (job && job.status !== 'running')
      this.#logger.info('job finished', { centreId, kind: job.kind, status: job.status, steps: job.steps });
    return job;
  }

  async #noteFailure(job: ErasureJob, error: unknown): Promise<void> {
    const name = error instanceof Error ? error.name : 'Error';
    try {
      const fresh = await this.#jobs.get<ErasurePlan>(job.centreId, job.jobId);
      if (fresh?.status === 'running')
        await this.#jobs.save({ ...fresh, lastError: name, updatedAt: this.#clock.now().toISOString() });
    } catch {
      // The step's own error is what matters; the job stays due either way.
    }
  }
}
