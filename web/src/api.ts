// The console's calls to the coordinators' API. Response types come from the API's own zod schemas
// (type-only imports, erased from the bundle): the same source the OpenAPI document is generated from.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { loadSession, saveSession } from './session.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly fields: { field: string; message: string }[];
  /** On a 409 version conflict: the record as stored now (the same view as a read). */
  readonly current: unknown;
  constructor(
    status: number,
    message: string,
    fields: { field: string; message: string }[] = [],
    current: unknown = undefined,
  ) {
    super(message);
    this.status = status;
    this.fields = fields;
    this.current = current;
  }
}

export async function api<T>(
  path: string,
  init: { method?: 'GET' | 'POST'; body?: unknown; contentType?: string } = {},
): Promise<T> {
  const session = loadSession();
  const headers: Record<string, string> = {};
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body:
      init.body === undefined ? null : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  const value = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (response.status === 401) {
    saveSession(undefined);
    location.assign('/sign-in');
  }
  if (!response.ok) {
    const body = (typeof value === 'object' && value) || {};
    throw new ApiError(
      response.status,
      String(body.error ?? response.statusText),
      body.fields ?? [],
      body.current,
    );
  }
  return value as T;
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

/** GET `path` (again when it changes, or on reload); undefined skips the call. */
export function useGet<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!path) return;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path).then(
      (data) => current && setState({ data, loading: false }),
      (error: Error) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [path, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
