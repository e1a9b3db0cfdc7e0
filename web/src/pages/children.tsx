// 儿童: find a child or a family; a child's page shows the weekly answers over time, the carer's
// free-text messages, the family's contacts, and the parents' messages waiting to be read to the child.
import { Suspense } from 'preact/compat';
import { useMemo, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import type { messageList } from '#lib/api/schemas.ts';
import type * as z from '#lib/zod.ts';
import { api, useGet } from '../api.ts';
import { CATEGORIES } from '../categories.ts';
import { useCentre } from '../centre.tsx';
import { useI18n } from '../i18n.tsx';
import { WeeklyChart } from '../lazy-chart.ts';
import { useRoster } from '../roster-types.ts';
import { formatTime, LoadState } from '../ui.tsx';

type ChildMessage = z.output<typeof messageList>['messages'][number];

export function ChildrenPage() {
  const { t } = useI18n();
  const { centreId } = useCentre();
  const { families, contacts } = useRoster(centreId);
  const [query, setQuery] = useState('');
  return (
    <>
      <h1>{t('childrenTitle')}</h1>
      <label>
        {t('search')}
        <input type="search" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
      </label>
      <LoadState loaded={families}>
        {(data) => {
          const q = query.trim();
          const names = (id: string) => contacts.data?.contacts.find((c) => c.id === id)?.name ?? '';
          const shown = data.families.filter(
            (f) =>
              !q ||
              f.name.includes(q) ||
              f.children.some((c) => c.name.includes(q)) ||
              f.contacts.some((c) => c.name.includes(q) || names(c.id).includes(q)),
          );
          return (
            <ul class="cards">
              {shown.map((f) => (
                <li key={f.id} class="card">
                  <h2>{f.name}</h2>
                  <ul class="plain">
                    {f.children.map((c) => (
                      <li key={c.id}>
                        <Link href={`/children/${encodeURIComponent(c.id)}`}>{c.name}</Link> · {c.birthYear} ·{' '}
                        {t(CATEGORIES.find((k) => k.id === c.category)?.label ?? 'catWithParents')}
                      </li>
                    ))}
                  </ul>
                  <p class="meta">
                    {f.contacts.map((c) => `${c.name}（${t(`role_${c.role}`)}）`).join('、')}
                  </p>
                </li>
              ))}
            </ul>
          );
        }}
      </LoadState>
    </>
  );
}

interface ChildCheckins {
  name: string;
  checkins: { week: string; status: string; answers: Record<string, number | string | boolean> }[];
}

export function ChildPage({ params }: { params: { id: string } }) {
  const { t, lang } = useI18n();
  const { centreId } = useCentre();
  const childId = decodeURIComponent(params.id);
  const q = `centre=${encodeURIComponent(centreId)}`;
  const checkins = useGet<ChildCheckins>(`/api/children/${encodeURIComponent(childId)}/checkins?${q}`);
  const messages = useGet<{ messages: ChildMessage[] }>(`/api/messages-for-child?${q}&status=all`);
  const { families, contacts } = useRoster(centreId);
  const family = families.data?.families.find((f) => f.children.some((c) => c.id === childId));
  const child = family?.children.find((c) => c.id === childId);
  const series = useMemo(() => {
    const list = checkins.data?.checkins ?? [];
    // Lower is better in each item (1 = good): drawn as "how good", 1 at the top.
    const scale: Record<string, number> = { mood: 4, school: 4, health: 3 };
    return {
      weeks: list.map((c) => c.week),
      series: (['mood', 'school', 'health'] as const).map((item, i) => ({
        label: t(item === 'mood' ? 'itemMood' : item === 'school' ? 'itemSchool' : 'itemHealth'),
        color: ['#b4232a', '#1f5fa8', '#2e7d32'][i] ?? '#000',
        values: list.map((c) => {
          const v = c.answers[item];
          const max = scale[item] ?? 4;
          return typeof v === 'number' ? (max - v) / (max - 1) : null;
        }),
      })),
    };
  }, [checkins.data, t]);
  const deliver = async (m: ChildMessage) => {
    await api(`/api/messages-for-child/${encodeURIComponent(m.id)}/delivered`, { method: 'POST', body: {} });
    messages.reload();
  };
  return (
    <>
      <p>
        <Link href="/children">← {t('childrenTitle')}</Link>
      </p>
      <LoadState loaded={checkins}>
        {(data) => (
          <>
            <h1>{data.name}</h1>
            {child && family && (
              <p class="meta">
                {family.name} · {child.birthYear} ·{' '}
                {t(CATEGORIES.find((k) => k.id === child.category)?.label ?? 'catWithParents')}
                <br />
                {t('consent')}:{' '}
                {Object.entries(child.consent)
                  .filter(([, v]) => v)
                  .map(([k]) => k)
                  .join(', ') || t('consentNone')}
              </p>
            )}
            <Suspense fallback={<p aria-busy="true">{t('loading')}</p>}>
              <WeeklyChart title={t('timeline')} weeks={series.weeks} series={series.series} />
            </Suspense>
            <h2>{t('freeText')}</h2>
            <ul>
              {data.checkins
                .filter((c) => typeof c.answers.message === 'string' && c.answers.message !== '')
                .map((c) => (
                  <li key={c.week}>
                    {c.week}: {String(c.answers.message)}
                  </li>
                ))}
            </ul>
          </>
        )}
      </LoadState>
      <h2>{t('contacts')}</h2>
      <ul class="cards">
        {family?.contacts.map((ref) => {
          const c = contacts.data?.contacts.find((x) => x.id === ref.id);
          if (!c) return null;
          return (
            <li key={c.id} class="card">
              <strong>{c.name}</strong>（{t(`role_${c.role}`)}）· {c.language}
              {c.optedOut && <span class="badge"> {t('optedOut')}</span>}
              <ul class="plain">
                {c.addresses.map((a) => (
                  <li key={a.address}>
                    {a.channel === 'sms' ? <a href={`tel:${a.address}`}>{a.address}</a> : `${a.channel}`}
                    {a.invalid ? ` · ${t('invalidAddress')}` : ''}
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ul>
      <h2>{t('parentMessages')}</h2>
      <LoadState loaded={messages}>
        {(data) => (
          <ul class="cards">
            {data.messages
              .filter((m) => m.children.some((c) => c.childId === childId))
              .map((m) => (
                <li key={m.id} class="card" data-testid="child-message">
                  <p>
                    <strong>{m.fromName}</strong> · {formatTime(m.receivedAt, lang)}
                  </p>
                  <p>{m.text}</p>
                  {m.status === 'new' ? (
                    <button type="button" class="primary" onClick={() => void deliver(m)}>
                      {t('markDelivered')}
                    </button>
                  ) : (
                    <p class="meta">
                      {t('deliveredBy', {
                        by: m.delivered?.by ?? '',
                        at: formatTime(m.delivered?.at ?? m.receivedAt, lang),
                      })}
                    </p>
                  )}
                </li>
              ))}
          </ul>
        )}
      </LoadState>
    </>
  );
}
