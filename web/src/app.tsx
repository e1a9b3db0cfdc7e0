// The console's frame: sign-in, the centre, the language switch and the pages. wouter-preact routes
// on the browser's own paths (the server answers index.html for each).
import { lazy, Suspense } from 'preact/compat';
import { useState } from 'preact/hooks';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter-preact';
import { CentrePicker, CentreProvider } from './centre.tsx';
import { I18nProvider, useI18n } from './i18n.tsx';
import type { MessageKey } from './messages.ts';
import { ActivitiesPage } from './pages/activities.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { BroadcastsPage } from './pages/broadcasts.tsx';
import { ChildPage, ChildrenPage } from './pages/children.tsx';
import { PhonesPage } from './pages/phones.tsx';
import { AuthCallbackPage, SignInPage } from './pages/sign-in.tsx';
import { WeekPage } from './pages/week.tsx';
import { loadSession, type Session, saveSession } from './session.ts';

// Centre admins only: loaded when opened.
const CoordinatorsPage = lazy(() => import('./pages/coordinators.tsx').then((m) => m.CoordinatorsPage));
// The roster page brings the CSV parser and the QR code maker: loaded when it is opened.
const RosterPage = lazy(() => import('./pages/roster.tsx').then((m) => m.RosterPage));
// Export and erasure jobs: loaded when opened.
const ExportsPage = lazy(() => import('./pages/exports.tsx').then((m) => m.ExportsPage));

const NAV: { path: string; label: MessageKey }[] = [
  { path: '/', label: 'navWeek' },
  { path: '/alerts', label: 'navAlerts' },
  { path: '/children', label: 'navChildren' },
  { path: '/roster', label: 'navRoster' },
  { path: '/broadcasts', label: 'navBroadcasts' },
  { path: '/activities', label: 'navActivities' },
  { path: '/exports', label: 'navExports' },
];
/** Only where the local server offers the simulator (npm start), never in AWS. */
const LOCAL_NAV: { path: string; label: MessageKey }[] = [{ path: '/phones', label: 'navPhone' }];
/** Only for centre admins (the API refuses the others too). */
const ADMIN_NAV: { path: string; label: MessageKey }[] = [
  { path: '/coordinators', label: 'navCoordinators' },
];

export function App() {
  return (
    <I18nProvider>
      <Shell />
    </I18nProvider>
  );
}

function Shell() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [location] = useLocation();
  const signIn = (next: Session) => {
    saveSession(next);
    setSession(next);
  };
  if (!session) {
    if (location === '/auth/callback') return <AuthCallbackPage onSignedIn={signIn} />;
    return location === '/sign-in' ? <SignInPage onSignedIn={signIn} /> : <Redirect to="/sign-in" />;
  }
  const signOut = () => {
    saveSession(undefined);
    setSession(undefined);
    // In AWS, end the managed-login session too (it comes back to /sign-in).
    if (session.signOutUrl) window.location.assign(session.signOutUrl);
  };
  return (
    <CentreProvider session={session}>
      <Header session={session} onSignOut={signOut} />
      <main id="main">
        <Suspense fallback={<p aria-busy="true">…</p>}>
          <Switch>
            <Route path="/" component={WeekPage} />
            <Route path="/alerts" component={AlertsPage} />
            <Route path="/children" component={ChildrenPage} />
            <Route path="/children/:id" component={ChildPage} />
            <Route path="/roster" component={RosterPage} />
            <Route path="/broadcasts" component={BroadcastsPage} />
            <Route path="/activities" component={ActivitiesPage} />
            <Route path="/exports" component={ExportsPage} />
            <Route path="/phones" component={PhonesPage} />
            <Route path="/coordinators" component={CoordinatorsPage} />
            <Route path="/auth/callback">
              <Redirect to="/" />
            </Route>
            <Route path="/sign-in">
              <Redirect to="/" />
            </Route>
          </Switch>
        </Suspense>
      </main>
    </CentreProvider>
  );
}

function Header({ session, onSignOut }: { session: Session; onSignOut(): void }) {
  const { t, lang, setLang } = useI18n();
  const [location] = useLocation();
  return (
    <header class="top">
      <div class="bar">
        <strong class="brand">{t('appName')}</strong>
        <CentrePicker />
        <span class="who">{session.name}</span>
        <button type="button" class="link" onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}>
          {t('langSwitch')}
        </button>
        <button type="button" class="link" onClick={onSignOut}>
          {t('signOut')}
        </button>
      </div>
      <nav aria-label={t('appName')}>
        {[...NAV, ...(session.admin ? ADMIN_NAV : []), ...(session.local ? LOCAL_NAV : [])].map((item) => (
          <Link
            key={item.path}
            href={item.path}
            aria-current={
              location === item.path || (item.path !== '/' && location.startsWith(`${item.path}/`))
                ? 'page'
                : undefined
            }
          >
            {t(item.label)}
          </Link>
        ))}
      </nav>
    </header>
  );
}
