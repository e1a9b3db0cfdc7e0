// Locally, the coordinators of the demo centres, one tap each (the local server signs the token).
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';

interface LocalCoordinator {
  id: string;
  name: string;
  centreName: string;
}

export function SignInPage({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const { t, lang, setLang } = useI18n();
  const [coordinators, setCoordinators] = useState<LocalCoordinator[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    fetch('/dev/sign-in')
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((body: { coordinators: LocalCoordinator[] }) => setCoordinators(body.coordinators))
      .catch((e: Error) => setError(e.message));
  }, []);
  const signIn = async (id: string) => {
    const response = await fetch(`/dev/sign-in?contact=${encodeURIComponent(id)}`, { method: 'POST' });
    if (!response.ok) return setError(`HTTP ${response.status}`);
    const body = (await response.json()) as { token: string; name: string; centres: string[] };
    onSignedIn({ token: body.token, name: body.name, centres: body.centres, local: true });
  };
  return (
    <main id="main" class="sign-in">
      <h1>{t('appName')}</h1>
      <h2>{t('signInTitle')}</h2>
      <p>{t('signInLocal')}</p>
      {error && (
        <p class="error" role="alert">
          {t('failed', { error })}
        </p>
      )}
      {coordinators?.length === 0 && <p>{t('signInNone')}</p>}
      <ul class="plain">
        {coordinators?.map((c) => (
          <li key={c.id}>
            <button type="button" class="primary wide" onClick={() => void signIn(c.id)}>
              {t('signInAs', { name: c.name, centre: c.centreName })}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" class="link" onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}>
        {t('langSwitch')}
      </button>
    </main>
  );
}
