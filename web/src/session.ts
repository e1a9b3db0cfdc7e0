// Who is signed in on this tab: the API token and the centres it names. Kept in sessionStorage, so
// closing the browser signs the coordinator out of a shared phone.
export interface Session {
  token: string;
  name: string;
  centres: string[];
  /** Signed in on the local server (npm start): its developer pages exist. */
  local?: boolean;
  /** A centre admin (the `centre-admin` group): the 协调员 page. The API checks it again. */
  admin?: boolean;
  /** In AWS: Cognito's sign-out page, which ends the managed-login session too. */
  signOutUrl?: string;
}

const KEY = 'lianxin.session';

export function loadSession(): Session | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return value && typeof value.token === 'string' && Array.isArray(value.centres) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

const PENDING = 'lianxin.pendingSignIn';

/** The PKCE verifier and state while the browser is at the sign-in page (this tab only). */
export function savePendingSignIn(pending: { verifier: string; state: string } | undefined): void {
  if (pending) sessionStorage.setItem(PENDING, JSON.stringify(pending));
  else sessionStorage.removeItem(PENDING);
}

export function loadPendingSignIn(): { verifier: string; state: string } | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
      verifier?: unknown;
      state?: unknown;
    } | null;
    return value && typeof value.verifier === 'string' && typeof value.state === 'string'
      ? { verifier: value.verifier, state: value.state }
      : undefined;
  } catch {
    return undefined;
  }
}
