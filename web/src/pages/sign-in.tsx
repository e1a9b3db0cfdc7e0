// Sign-in. The runtime config (/config.json) says how: locally (npm start) the coordinators of the
// local user store, one tap each (the local server signs the token); in AWS, Cognito's managed login
// by the authorization code flow with PKCE (../oauth.ts), back at /auth/callback.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.tsx';
import { parseRuntimeConfig, type RuntimeConfig } from '../runtime-config.ts';
import { loadPendingSignIn, type Session, savePendingSignIn } from '../session.ts';

interface LocalCoordinator {
  id: string;
  name: string;
  centreName: string;
}

async function runtimeConfig(): Promise<RuntimeConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return parseRuntimeConfig(await response.json());
}

export function SignInPage({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const { t, lang, setLang } = useI18n();
  const [config, setConfig] = useState<RuntimeConfig | undefined>();
  const [coordinators, setCoordinators] = useState<LocalCoordinator[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    runtimeConfig()
      .then(async (c) => {
        setConfig(c);
        if (c.auth !== 'local') return;
        const r = await fetch('/dev/sign-in');
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        setCoordinators(((await r.json()) as { coordinators: LocalCoordinator[] }).coordinators);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  const signInLocal = async (id: string) => {
    const response = await fetch(`/dev/sign-in?contact=${encodeURIComponent(id)}`, { method: 'POST' });
    if (!response.ok) return setError(`HTTP ${response.status}`);
    const body = (await response.json()) as {
      token: string;
      name: string;
      centres: string[];
      admin?: boolean;
    };
    onSignedIn({
      token: body.token,
      name: body.name,
      centres: body.centres,
      admin: body.admin === true,
      local: true,
    });
  };
  const signInCognito = async () => {
    if (config?.auth !== 'cognito') return;
    const { beginSignIn } = await import('../oauth.ts');
    const { pending, url } = await beginSignIn(config, location.origin);
    savePendingSignIn(pending);
    location.assign(url);
  };
  return (
    <main id="main" class="sign-in">
      <h1>{t('appName')}</h1>
      <h2>{t('signInTitle')}</h2>
      {error && (
        <p class="error" role="alert">
          {t('failed', { error })}
        </p>
      )}
      {config?.auth === 'cognito' && (
        <button type="button" class="primary wide" onClick={() => void signInCognito()}>
          {t('signInCognito')}
        </button>
      )}
      {config?.auth === 'local' && (
        <>
          <p>{t('signInLocal')}</p>
          {coordinators?.length === 0 && <p>{t('signInNone')}</p>}
          <ul class="plain">
            {coordinators?.map((c) => (
              <li key={c.id}>
                <button type="button" class="primary wide" onClick={() => void signInLocal(c.id)}>
                  {t('signInAs', { name: c.name, centre: c.centreName })}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <button type="button" class="link" onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}>
        {t('langSwitch')}
      </button>
    </main>
  );
}

/** Back from Cognito with ?code&state: redeem the code, then the console. */
export function AuthCallbackPage({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const pending = loadPendingSignIn();
    savePendingSignIn(undefined);
    runtimeConfig()
      .then(async (config) => {
        if (config.auth !== 'cognito' || !pending) throw new Error('no sign-in in progress');
        const { completeSignIn, signOutUrl } = await import('../oauth.ts');
        const signedIn = await completeSignIn(config, new URL(location.href), pending);
        history.replaceState(null, '', '/');
        onSignedIn({ ...signedIn, signOutUrl: signOutUrl(config, location.origin) });
      })
      .catch((e: Error) => setError(e.message));
  }, [onSignedIn]);
  return (
    <main id="main" class="sign-in">
      <h1>{t('appName')}</h1>
      {error ? (
        <p class="error" role="alert">
          {t('failed', { error })} <a href="/sign-in">{t('signInTitle')}</a>
        </p>
      ) : (
        <p aria-busy="true">{t('signingIn')}</p>
      )}
    </main>
  );
}
