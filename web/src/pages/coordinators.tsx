// 协调员 (centre admins): the coordinators of my centres, an invitation by e-mail or phone, and which
// of my centres each one holds. Centres I do not hold are never named (the API shows only a count).
import { useState } from 'preact/hooks';
import { ApiError, api, useGet } from '../api.ts';
import { useCentre } from '../centre.tsx';
import { useI18n } from '../i18n.tsx';
import { LoadState } from '../ui.tsx';

interface Coordinator {
  id: string;
  name: string;
  email?: string;
  phone?: string;
  centres: string[];
  otherCentres: number;
  admin: boolean;
  status: 'invited' | 'active';
}

const problem = (err: unknown): string =>
  err instanceof ApiError && err.fields.length > 0
    ? err.fields.map((f) => `${f.field.replace(/^body\./, '')}: ${f.message}`).join('; ')
    : (err as Error).message;

export function CoordinatorsPage() {
  const { t } = useI18n();
  const list = useGet<{ coordinators: Coordinator[] }>('/api/coordinators');
  return (
    <>
      <h1>{t('coordinatorsTitle')}</h1>
      <p>{t('coordinatorsIntro')}</p>
      <InviteForm onInvited={list.reload} />
      <LoadState loaded={list}>
        {(l) =>
          l.coordinators.length === 0 ? (
            <p>{t('noCoordinators')}</p>
          ) : (
            <ul class="plain cards" data-testid="coordinators">
              {l.coordinators.map((c) => (
                <CoordinatorCard key={c.id} coordinator={c} onSaved={list.reload} />
              ))}
            </ul>
          )
        }
      </LoadState>
    </>
  );
}

function CentreChoices({ name, checked }: { name: string; checked: readonly string[] }) {
  const { t } = useI18n();
  const { centres } = useCentre();
  return (
    <fieldset>
      <legend>{t('centresLabel')}</legend>
      {centres.map((c) => (
        <label key={c.id} class="inline">
          <input type="checkbox" name={name} value={c.id} defaultChecked={checked.includes(c.id)} /> {c.name}
        </label>
      ))}
    </fieldset>
  );
}

function InviteForm({ onInvited }: { onInvited(): void }) {
  const { t } = useI18n();
  const { centreId } = useCentre();
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const text = (key: string) => String(data.get(key) ?? '').trim();
    try {
      const result = await api<{ coordinator: Coordinator; created: boolean }>('/api/coordinators', {
        method: 'POST',
        body: {
          name: text('name'),
          ...(text('email') ? { email: text('email') } : {}),
          ...(text('phone') ? { phone: text('phone') } : {}),
          centres: data.getAll('centres').map(String),
        },
      });
      const name = result.coordinator.name;
      setMessage({ text: t(result.created ? 'invitedNew' : 'invitedAgain', { name }), error: false });
      form.reset();
      onInvited();
    } catch (err) {
      setMessage({ text: problem(err), error: true });
    }
  };
  return (
    <form class="panel" onSubmit={(e) => void submit(e)} aria-labelledby="invite-title">
      <h2 id="invite-title">{t('inviteTitle')}</h2>
      <label>
        {t('coordinatorName')}
        <input name="name" required maxLength={64} autoComplete="off" />
      </label>
      <p id="contact-hint" class="hint">
        {t('contactHint')}
      </p>
      <label>
        {t('coordinatorEmail')}
        <input name="email" type="email" maxLength={254} autoComplete="off" aria-describedby="contact-hint" />
      </label>
      <label>
        {t('coordinatorPhone')}
        <input
          name="phone"
          type="tel"
          inputMode="tel"
          maxLength={40}
          autoComplete="off"
          aria-describedby="contact-hint"
        />
      </label>
      <CentreChoices name="centres" checked={[centreId]} />
      {message && (
        <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <button type="submit" class="primary">
        {t('inviteSend')}
      </button>
    </form>
  );
}

function CoordinatorCard({ coordinator: c, onSaved }: { coordinator: Coordinator; onSaved(): void }) {
  const { t } = useI18n();
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const save = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    try {
      await api(`/api/coordinators/${encodeURIComponent(c.id)}/centres`, {
        method: 'POST',
        body: { centres: data.getAll('centres').map(String) },
      });
      setMessage({ text: t('centresSaved'), error: false });
      onSaved();
    } catch (err) {
      setMessage({ text: problem(err), error: true });
    }
  };
  return (
    <li class="panel coordinator" data-coordinator={c.id}>
      <h2>
        {c.name} {c.admin && <span class="badge">{t('adminBadge')}</span>}
      </h2>
      <p>
        {[c.email, c.phone].filter(Boolean).join(' · ')}
        <br />
        {t(c.status === 'invited' ? 'statusInvited' : 'statusActive')}
        {c.otherCentres > 0 && ` · ${t('otherCentres', { count: c.otherCentres })}`}
      </p>
      <form onSubmit={(e) => void save(e)} aria-label={`${t('saveCentres')}: ${c.name}`}>
        <CentreChoices name="centres" checked={c.centres} />
        {message && (
          <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <button type="submit">{t('saveCentres')}</button>
      </form>
    </li>
  );
}
