// 提醒: the centre's alerts (concerning answers) and tasks (missed check-ins): acknowledge (a note is
// optional), close (a note is required), call the carer, and see where the escalation stands.
import { useState } from 'preact/hooks';
import type { taskList } from '#lib/api/schemas.ts';
import type * as z from '#lib/zod.ts';
import { api, useGet } from '../api.ts';
import { useCentre } from '../centre.tsx';
import { useI18n } from '../i18n.tsx';
import type { MessageKey } from '../messages.ts';
import { type ContactView, type FamilyView, phoneOf, useRoster } from '../roster-types.ts';
import { formatTime, LoadState } from '../ui.tsx';

type Task = z.output<typeof taskList>['tasks'][number];

const ITEM_LABELS: Record<string, MessageKey> = {
  mood: 'itemMood',
  school: 'itemSchool',
  health: 'itemHealth',
};

export function AlertsPage() {
  const { t } = useI18n();
  const { centreId } = useCentre();
  const [status, setStatus] = useState<'open' | 'all'>('open');
  const tasks = useGet<{ tasks: Task[] }>(
    centreId ? `/api/tasks?centre=${encodeURIComponent(centreId)}&status=${status}` : undefined,
  );
  const { families, contacts } = useRoster(centreId);
  return (
    <>
      <h1>{t('alertsTitle')}</h1>
      <fieldset class="toggle">
        <legend class="visually-hidden">{t('alertsTitle')}</legend>
        {(['open', 'all'] as const).map((s) => (
          <label key={s}>
            <input type="radio" name="status" checked={status === s} onChange={() => setStatus(s)} />
            {t(s === 'open' ? 'showOpen' : 'showAll')}
          </label>
        ))}
      </fieldset>
      <LoadState loaded={tasks}>
        {(data) =>
          data.tasks.length === 0 ? (
            <p>{t('noAlerts')}</p>
          ) : (
            <ul class="cards">
              {[...data.tasks].reverse().map((task) => (
                <TaskCard
                  key={task.id}
                  task={task}
                  families={families.data?.families ?? []}
                  contacts={contacts.data?.contacts ?? []}
                  onChanged={tasks.reload}
                />
              ))}
            </ul>
          )
        }
      </LoadState>
    </>
  );
}

function TaskCard(props: { task: Task; families: FamilyView[]; contacts: ContactView[]; onChanged(): void }) {
  const { task, families, contacts } = props;
  const { t, lang } = useI18n();
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  let title: string;
  let detail: string;
  let carer: ContactView | undefined;
  if (task.alert) {
    const alert = task.alert;
    const family = families.find((f) => f.children.some((c) => c.id === alert.childId));
    const child = family?.children.find((c) => c.id === alert.childId);
    const carerRef = family?.contacts.find((c) => c.role === 'carer');
    carer = contacts.find((c) => c.id === carerRef?.id);
    title = `${t('kindAlert')} · ${child?.name ?? ''}`;
    const itemLabel = ITEM_LABELS[alert.itemId];
    detail =
      alert.reason === 'words'
        ? t('reasonWords')
        : t('reasonAnswer', {
            item: itemLabel ? t(itemLabel) : alert.itemId,
            value: String(alert.value ?? ''),
          });
  } else {
    const missed = task.missedCheckins;
    carer = contacts.find((c) => c.name === missed?.contactName);
    title = `${t('kindMissed')} · ${missed?.contactName ?? ''}`;
    detail = `${t('childLabel', { names: missed?.childNames.join('、') ?? '' })} · ${t('weeksMissed', { weeks: missed?.weeks.join(', ') ?? '' })}`;
  }
  const state = task.closed ? 'statusClosed' : task.acknowledged ? 'statusAcknowledged' : 'statusOpen';
  const phone = phoneOf(carer);

  const act = async (action: 'acknowledge' | 'close') => {
    if (action === 'close' && note.trim() === '') return setError(t('noteRequired'));
    setBusy(true);
    setError(undefined);
    try {
      // The API records a note with each action; acknowledging without one records that it was seen.
      await api(`/api/tasks/${encodeURIComponent(task.id)}/${action}`, {
        method: 'POST',
        body: { note: note.trim() || t('acknowledge') },
      });
      setNote('');
      props.onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const noteId = `note-${task.id}`;
  return (
    <li class={`card status-${state}`} data-testid="task">
      <h2>
        {task.ref && (
          <span class="badge ref" data-testid="task-ref">
            {task.ref}
          </span>
        )}{' '}
        {title}
      </h2>
      <p>{detail}</p>
      <p class="meta">
        <span class="badge">{t(state)}</span> {t('raisedAt', { at: formatTime(task.raisedAt, lang) })}
      </p>
      <p class={`meta escalation escalation-${task.escalation.state}`} data-testid="escalation">
        {task.escalation.state === 'escalated'
          ? t('escEscalated', {
              at: formatTime(task.escalation.escalatedAt ?? task.escalation.dueAt, lang),
              n: task.escalation.told ?? 0,
            })
          : task.escalation.state === 'stopped'
            ? t('escStopped')
            : t('escPending', { at: formatTime(task.escalation.dueAt, lang) })}
      </p>
      {task.acknowledged && (
        <p class="meta">
          {t('acknowledgedBy', { by: task.acknowledged.by, at: formatTime(task.acknowledged.at, lang) })}
          {task.acknowledged.note ? `：${task.acknowledged.note}` : ''}
        </p>
      )}
      {task.closed && (
        <p class="meta">
          {t('closedBy', { by: task.closed.by, at: formatTime(task.closed.at, lang) })}
          {task.closed.note ? `：${task.closed.note}` : ''}
        </p>
      )}
      {phone && carer && (
        <p>
          <a class="button" href={`tel:${phone}`}>
            {t('callCarer', { name: carer.name })}
          </a>
        </p>
      )}
      {!task.closed && (
        <div class="actions">
          <label for={noteId}>{task.acknowledged ? t('note') : t('noteOptional')}</label>
          <textarea
            id={noteId}
            rows={2}
            value={note}
            onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
          />
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <div class="row">
            {!task.acknowledged && (
              <button type="button" disabled={busy} onClick={() => void act('acknowledge')}>
                {t('acknowledge')}
              </button>
            )}
            <button type="button" class="primary" disabled={busy} onClick={() => void act('close')}>
              {t('close')}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}
