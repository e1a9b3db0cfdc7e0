// Small shared pieces: loading and error states, dates in the coordinator's language.
import type { ComponentChildren } from 'preact';
import type { Loaded } from './api.ts';
import { useI18n } from './i18n.tsx';

export function LoadState<T>({
  loaded,
  children,
}: {
  loaded: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  const { t } = useI18n();
  if (loaded.error)
    return (
      <p class="error" role="alert">
        {t('failed', { error: loaded.error.message })}{' '}
        <button type="button" onClick={loaded.reload}>
          {t('retry')}
        </button>
      </p>
    );
  if (!loaded.data) return <p aria-busy="true">{t('loading')}</p>;
  return <>{children(loaded.data)}</>;
}

/** A time as the coordinator reads it, in Shanghai. */
export function formatTime(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang, {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export const percent = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '–' : `${Math.round(rate * 100)}%`;
