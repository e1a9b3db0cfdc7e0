// 导出: the centre's check-ins as CSV (Chinese headers unless English is chosen, the answer history
// on request; a large export comes back as a short-lived link, followed), and erasure on request as
// jobs whose progress is polled while they run. Loaded only when opened.
import { useEffect, useState } from 'preact/hooks';
import type { jobView } from '#lib/api/job-api.ts';
import type * as z from '#lib/zod.ts';
import { ApiError, api, useGet } from '../api.ts';
import { useCentre } from '../centre.tsx';
import { familyCodes } from '../family-code.ts';
import { type Translate, useI18n } from '../i18n.tsx';
import type { MessageKey } from '../messages.ts';
import { useRoster } from '../roster-types.ts';
import { loadSession } from '../session.ts';
import { formatTime, LoadState } from '../ui.tsx';
import { isoWeekOfDay } from './activities.tsx';

type Job = z.output<typeof jobView>;

/** How often a running job is read again. */
const POLL_MS = 1_500;

/** The ISO week `weeksBack` weeks before today's. */
function weekBefore(weeksBack: number): string {
  return isoWeekOfDay(new Date(Date.now() - weeksBack * 7 * 86_400_000).toISOString().slice(0, 10));
}

export function ExportsPage() {
  const { t } = useI18n();
  const { centreId } = useCentre();
  const jobs = useGet<{ jobs: Job[] }>(
    centreId ? `/api/jobs?centre=${encodeURIComponent(centreId)}` : undefined,
  );
  const running = (jobs.data?.jobs ?? []).some((j) => j.status === 'running');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(jobs.reload, POLL_MS);
    return () => clearInterval(timer);
  }, [running, jobs.reload]);
  return (
    <>
      <h1>{t('exportsTitle')}</h1>
      <ExportForm centreId={centreId} />
      <EraseFamily centreId={centreId} onStarted={jobs.reload} />
      <section class="panel">
        <h2>{t('jobsTitle')}</h2>
        <LoadState loaded={jobs}>
          {(data) =>
            data.jobs.length === 0 ? (
              <p>{t('jobsNone')}</p>
            ) : (
              <ul class="cards" data-testid="jobs">
                {data.jobs.map((job) => (
                  <JobCard key={job.id} job={job} />
                ))}
              </ul>
            )
          }
        </LoadState>
      </section>
    </>
  );
}

function ExportForm({ centreId }: { centreId: string }) {
  const { t, lang } = useI18n();
  const [from, setFrom] = useState(() => weekBefore(11));
  const [to, setTo] = useState(() => weekBefore(0));
  const [english, setEnglish] = useState(false);
  const [history, setHistory] = useState(false);
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'busy' }
    | { kind: 'done'; name: string }
    | { kind: 'link'; url: string; expiresAt: string }
    | { kind: 'error'; message: string }
  >({ kind: 'idle' });
  const download = async (e: Event) => {
    e.preventDefault();
    setState({ kind: 'busy' });
    const q = new URLSearchParams({ centre: centreId, from, to, lang: english ? 'en' : 'zh-CN' });
    if (history) q.set('history', '1');
    try {
      // Not through api(): the CSV is saved as bytes, with its BOM (text() would drop it).
      const session = loadSession();
      const response = await fetch(`/api/checkins/export.csv?${q}`, {
        headers: session ? { authorization: `Bearer ${session.token}` } : {},
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as {
          error?: string;
          fields?: { field: string; message: string }[];
        };
        const fields = (body.fields ?? []).map((f) => `${f.field}: ${f.message}`).join('; ');
        throw new ApiError(response.status, fields || body.error || response.statusText);
      }
      if (response.headers.get('content-type')?.includes('json')) {
        // Too large for a response: a short-lived link to the file, followed (it downloads).
        const link = (await response.json()) as { url: string; expiresAt: string };
        setState({ kind: 'link', ...link });
        window.location.assign(link.url);
        return;
      }
      const name =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'export.csv';
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ kind: 'done', name });
    } catch (error) {
      setState({ kind: 'error', message: (error as Error).message });
    }
  };
  return (
    <form class="panel" onSubmit={(e) => void download(e)}>
      <h2>{t('exportTitle')}</h2>
      <label>
        {t('exportFrom')}
        <input
          type="week"
          required
          value={from}
          onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        {t('exportTo')}
        <input type="week" required value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
      </label>
      <fieldset>
        <legend>{t('exportLang')}</legend>
        <label class="inline">
          <input type="radio" name="export-lang" checked={!english} onChange={() => setEnglish(false)} />
          <span lang="zh-CN">{t('exportLangZh')}</span>
        </label>
        <label class="inline">
          <input type="radio" name="export-lang" checked={english} onChange={() => setEnglish(true)} />
          <span lang="en">{t('exportLangEn')}</span>
        </label>
      </fieldset>
      <label class="inline">
        <input
          type="checkbox"
          checked={history}
          onChange={(e) => setHistory((e.target as HTMLInputElement).checked)}
        />
        {t('exportHistory')}
      </label>
      <div class="row">
        <button type="submit" class="primary" disabled={state.kind === 'busy' || !centreId}>
          {t('exportDownload')}
        </button>
      </div>
      <p role="status" data-testid="export-status">
        {state.kind === 'busy' && t('exportPreparing')}
        {state.kind === 'done' && t('exportDone', { name: state.name })}
        {state.kind === 'link' && (
          <>
            {t('exportLink', { until: formatTime(state.expiresAt, lang) })}{' '}
            <a href={state.url}>{t('exportLinkOpen')}</a>
          </>
        )}
      </p>
      {state.kind === 'error' && (
        <p class="error" role="alert">
          {t('failed', { error: state.message })}
        </p>
      )}
    </form>
  );
}

function EraseFamily({ centreId, onStarted }: { centreId: string; onStarted(): void }) {
  const { t } = useI18n();
  const { families } = useRoster(centreId);
  const list = families.data?.families ?? [];
  const codes = familyCodes(list.map((f) => f.id));
  // Opened from a family's card on 名册 (`?family=`): that family is chosen, its code still to type.
  const [familyId, setFamilyId] = useState(
    () => new URLSearchParams(window.location.search).get('family') ?? '',
  );
  const [typed, setTyped] = useState('');
  const [started, setStarted] = useState<Job | undefined>();
  const [error, setError] = useState<string | undefined>();
  const code = codes.get(familyId) ?? '';
  // The code is read off the roster page or the family's card: typing it is the confirmation.
  const confirmed = code !== '' && typed.trim().toUpperCase() === code;
  const erase = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (!confirmed) {
      setError(t('eraseCodeWrong', { code }));
      return;
    }
    try {
      const job = await api<Job>(`/api/families/${encodeURIComponent(familyId)}/erase`, {
        method: 'POST',
        body: {},
      });
      setStarted(job);
      setFamilyId('');
      setTyped('');
      families.reload();
      onStarted();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="panel" onSubmit={(e) => void erase(e)}>
      <h2>{t('eraseTitle')}</h2>
      <p>{t('eraseHelp')}</p>
      <label>
        {t('eraseFamily')}
        <select
          value={familyId}
          onChange={(e) => {
            setFamilyId((e.target as HTMLSelectElement).value);
            setTyped('');
          }}
        >
          <option value="">{t('eraseChoose')}</option>
          {list.map((f) => (
            <option key={f.id} value={f.id}>
              {codes.get(f.id)} {f.name}
            </option>
          ))}
        </select>
      </label>
      {familyId && (
        <>
          <label>
            {t('eraseTypeCode', { code })}
            <input
              autocomplete="off"
              autocapitalize="characters"
              value={typed}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
          </label>
          <div class="row">
            <button type="submit" class="danger" disabled={!confirmed}>
              {t('eraseStart')}
            </button>
          </div>
        </>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {started && (
        <p role="status" data-testid="erase-started">
          {t('eraseStarted')} · {jobStatus(t, started)}
        </p>
      )}
    </form>
  );
}

const STATUS_LABEL: Record<Job['status'], MessageKey> = {
  running: 'jobRunning',
  done: 'jobDone',
  'not-found': 'jobNotFound',
};

const jobStatus = (t: Translate, job: Job) => t(STATUS_LABEL[job.status]);

function JobCard({ job }: { job: Job }) {
  const { t, lang } = useI18n();
  // The store's own item kinds, as counts only: the total first, the kinds for whoever asks.
  const kinds = Object.entries(job.deleted);
  const total = kinds.reduce((sum, [, n]) => sum + n, 0);
  return (
    <li class={`card job-${job.status}`} data-testid="job">
      <h3>
        {t(job.kind === 'erase-family' ? 'jobKindFamily' : 'jobKindContact')} ·{' '}
        <span data-testid="job-status">{jobStatus(t, job)}</span>
      </h3>
      <progress
        max={Math.max(job.progress.total, 1)}
        value={job.status === 'running' ? job.progress.done : Math.max(job.progress.total, 1)}
        aria-label={t('jobProgress', {
          done: job.progress.done,
          total: job.progress.total,
          steps: job.steps,
        })}
      />
      <p data-testid="job-progress">
        {t('jobProgress', { done: job.progress.done, total: job.progress.total, steps: job.steps })}
      </p>
      {total > 0 && (
        <details>
          <summary data-testid="job-deleted">{t('jobDeleted', { n: total })}</summary>
          <p>
            {t('jobDeletedKinds')}: {kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')}
          </p>
        </details>
      )}
      <p class="meta">
        {t('jobBy', { by: job.by, at: formatTime(job.createdAt, lang) })}
        {job.finishedAt && <> · {t('jobFinished', { at: formatTime(job.finishedAt, lang) })}</>}
      </p>
      {job.lastError && <p class="error">{t('jobError', { error: job.lastError })}</p>}
    </li>
  );
}
