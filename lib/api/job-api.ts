// Jobs in the coordinators' API: how far an erasure on request has got, scoped like every route (a job
// of a centre the caller does not hold is "not found"). What a job shows is counts, never the data.
import { decodeRef, encodeRef, requireCentre } from '#lib/api/coordinator-api.ts';
import { json, type Route, route } from '#lib/api/router.ts';
import { NotFoundError } from '#lib/errors.ts';
import type { ErasureJobs } from '#lib/jobs/erasure-jobs.ts';
import { JOB_KINDS, JOB_STATUSES, type JobRecord } from '#lib/store/jobs/job-repository.ts';
import * as z from '#lib/zod.ts';

export interface JobApiDependencies {
  erasureJobs: ErasureJobs;
}

export const jobView = z.lazy(() =>
  z.object({
    id: z.string().check(z.describe('Opaque: GET /api/jobs/{id}')),
    centreId: z.string(),
    kind: z.enum(JOB_KINDS),
    status: z
      .enum(JOB_STATUSES)
      .check(
        z.describe('`running` (the scheduler tick carries it on), `done`, or `not-found` (nothing to erase)'),
      ),
    by: z.string().check(z.describe('The coordinator who started it')),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.optional(z.string()),
    steps: z.int().check(z.describe('Steps run so far (each reads a bounded number of items)')),
    progress: z.object({
      done: z.int().check(z.describe('Parts of the work list done')),
      total: z.int().check(z.describe('Parts in all (0 until the first step has planned the work)')),
    }),
    deleted: z
      .record(z.string(), z.number())
      .check(z.describe('Items deleted so far, per kind: counts only')),
    auditId: z.optional(z.string()).check(z.describe('The audit entry the finished erasure left')),
    lastError: z
      .optional(z.string())
      .check(z.describe('The last failed step (retried by the scheduler tick)')),
  }),
);

export function jobJson(job: JobRecord): z.input<typeof jobView> {
  return {
    id: encodeRef('job', job.centreId, job.jobId),
    centreId: job.centreId,
    kind: job.kind,
    status: job.status,
    by: job.by,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt }),
    steps: job.steps,
    progress: { done: job.done, total: job.total },
    deleted: job.deleted,
    ...(job.auditId === undefined ? {} : { auditId: job.auditId }),
    ...(job.lastError === undefined ? {} : { lastError: job.lastError }),
  };
}

const centreQuery = z.lazy(() =>
  z.object({
    centre: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -')),
  }),
);

export function jobRoutes(deps: JobApiDependencies): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/jobs',
      summary: "A centre's jobs (erasures on request), newest first",
      query: centreQuery,
      response: {
        contentType: 'application/json',
        schema: z.object({ jobs: z.array(jobView) }),
        description: 'The jobs',
      },
      handle: async ({ caller, query }) => {
        requireCentre(caller, query.centre);
        return json(200, { jobs: (await deps.erasureJobs.list(query.centre)).map(jobJson) });
      },
    }),
    route({
      method: 'GET',
      path: '/api/jobs/{id}',
      summary: 'A job: its status and progress',
      pathParams: { id: 'The opaque id the job was started with' },
      response: { contentType: 'application/json', schema: jobView, description: 'The job' },
      handle: async ({ caller, params }) => {
        const { centreId, id } = decodeRef(params.id ?? '', ['job'], caller);
        const job = await deps.erasureJobs.get(centreId, id);
        if (!job) throw new NotFoundError('no such job');
        return json(200, jobJson(job));
      },
    }),
  ];
}
