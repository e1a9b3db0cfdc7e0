// Who is signed in on this tab: the API token and the centres it names. Kept in sessionStorage, so
// closing the browser signs the coordinator out of a shared phone.
export interface Session {
  token: string;
  name: string;
  centres: string[];
  /** Signed in on the local server (npm start): its developer pages exist. */
  local?: boolean;
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
