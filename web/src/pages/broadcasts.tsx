// 群发: compose a broadcast and see, as you type, who gets it, the encoding, the SMS segments and the
// cost; then approve it (now or at a time in the centre's local time), cancel it, read its report.
import { useEffect, useState } from 'preact/hooks';
import type { broadcastView, previewView } from '#lib/api/broadcast-api.ts';
import type * as z from '#lib/zod.ts';
import { api, useGet } from '../api.ts';
import { CATEGORIES } from '../categories.ts';
import { useCentre } from '../centre.tsx';
import { useI18n } from '../i18n.tsx';
import { formatTime, LoadState } from '../ui.tsx';

type Preview = z.output<typeof previewView>;
type Broadcast = z.output<typeof broadcastView>;

interface Composition {
  centres: string[];
  roles: 'parents' | 'carers' | 'everyone';
  categories: string[];
  languages: string[];
  texts: { 'zh-CN'?: string; en?: string };
}

export function BroadcastsPage() {
  const { t } = useI18n();
  const { centreId } = useCentre();
  const list = useGet<{ broadcasts: Broadcast[] }>(
    centreId ? `/api/broadcasts?centre=${encodeURIComponent(centreId)}` : undefined,
  );
  return (
    <>
      <h1>{t('broadcastsTitle')}</h1>
      <Composer onSaved={list.reload} />
      <h2>{t('broadcastList')}</h2>
      <LoadState loaded={list}>
        {(data) => (
          <ul class="cards">
            {data.broadcasts.map((b) => (
              <BroadcastCard key={b.id} broadcast={b} onChanged={list.reload} />
            ))}
          </ul>
        )}
      </LoadState>
    </>
  );
}

function Composer({ onSaved }: { onSaved(): void }) {
  const { t } = useI18n();
  const { centreId, centres } = useCentre();
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [c, setC] = useState<Composition>({
    centres: [centreId],
    roles: 'everyone',
    categories: [],
    languages: [],
    texts: { 'zh-CN': '' },
  });
  const [preview, setPreview] = useState<Preview | undefined>();
  const [error, setError] = useState<string | undefined>();
  const body = (): Composition => ({
    ...c,
    texts: Object.fromEntries(Object.entries(c.texts).filter(([, v]) => v && v.trim() !== '')),
  });

  // The preview follows the text as it is typed (a moment after the last key).
  useEffect(() => {
    const composed = body();
    if (Object.keys(composed.texts).length === 0 || composed.centres.length === 0)
      return setPreview(undefined);
    const timer = setTimeout(() => {
      api<Preview>('/api/broadcasts/preview', { method: 'POST', body: composed }).then(
        (p) => {
          setPreview(p);
          setError(undefined);
        },
        (e: Error) => setError(e.message),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [c]);

  const toggle = (list: string[], value: string) =>
    list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await api('/api/broadcasts', { method: 'POST', body: { ...body(), requestId } });
      setRequestId(crypto.randomUUID());
      setC({ ...c, texts: { 'zh-CN': '' } });
      onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="panel" onSubmit={(e) => void save(e)}>
      <h2>{t('compose')}</h2>
      <label>
        {t('textZh')}
        <textarea
          rows={4}
          value={c.texts['zh-CN'] ?? ''}
          onInput={(e) =>
            setC({ ...c, texts: { ...c.texts, 'zh-CN': (e.target as HTMLTextAreaElement).value } })
          }
        />
      </label>
      <label>
        {t('textEn')}
        <textarea
          rows={2}
          value={c.texts.en ?? ''}
          onInput={(e) => setC({ ...c, texts: { ...c.texts, en: (e.target as HTMLTextAreaElement).value } })}
        />
      </label>
      {centres.length > 1 && (
        <fieldset>
          <legend>{t('centre')}</legend>
          {centres.map((centre) => (
            <label key={centre.id} class="inline">
              <input
                type="checkbox"
                checked={c.centres.includes(centre.id)}
                onChange={() => setC({ ...c, centres: toggle(c.centres, centre.id) })}
              />
              {centre.name}
            </label>
          ))}
        </fieldset>
      )}
      <label>
        {t('audience')}
        <select
          value={c.roles}
          onChange={(e) =>
            setC({ ...c, roles: (e.target as HTMLSelectElement).value as Composition['roles'] })
          }
        >
          <option value="everyone">{t('roleEveryone')}</option>
          <option value="carers">{t('roleCarers')}</option>
          <option value="parents">{t('roleParents')}</option>
        </select>
      </label>
      <fieldset>
        <legend>{t('byCategory')}</legend>
        {CATEGORIES.map((cat) => (
          <label key={cat.id} class="inline">
            <input
              type="checkbox"
              checked={c.categories.includes(cat.id)}
              onChange={() => setC({ ...c, categories: toggle(c.categories, cat.id) })}
            />
            {t(cat.label)}
          </label>
        ))}
      </fieldset>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {preview && <PreviewPanel preview={preview} />}
      {/* A notice a +86 provider cannot carry would be refused on saving: say so now, offer nothing. */}
      <button type="submit" class="primary" disabled={(preview?.templateRefusals?.length ?? 0) > 0}>
        {t('saveDraft')}
      </button>
    </form>
  );
}

/** What the broadcast would do now: who (by category, channel, language), how long, what it costs. */
function PreviewPanel({ preview }: { preview: Preview }) {
  const { t } = useI18n();
  const sms = preview.languages.reduce((n, l) => n + l.sms, 0);
  const wechat = preview.languages.reduce((n, l) => n + l.wechat, 0);
  const cost = preview.estimatedCost;
  const money = (amount: number) => ({ amount: amount.toFixed(2), currency: cost.currency });
  const x = preview.excluded;
  return (
    <div class="preview" data-testid="preview" aria-live="polite">
      <p>
        <strong>{t('recipients', { n: preview.recipients })}</strong> ·{' '}
        {t('segmentsTotal', { n: preview.smsSegments })} · {t('cost', money(cost.amount))}
      </p>
      <table class="data compact" data-testid="preview-categories">
        <caption>{t('byCategory')}</caption>
        <tbody>
          {CATEGORIES.map((cat) => (
            <tr key={cat.id}>
              <th scope="row">{t(cat.label)}</th>
              <td>{preview.categories?.[cat.id] ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="meta">{t('catCounted')}</p>
      {preview.templateRefusals?.map((r) => (
        <p key={`${r.language}-${r.provider}`} class="error" role="alert" data-testid="preview-refusal">
          {t('templateRefused', {
            provider: t(`provider_${r.provider}`),
            language: t(r.language === 'zh-CN' ? 'language_zh' : 'language_en'),
            fits: r.fits,
            chars: r.chars,
          })}
        </p>
      ))}
      <p data-testid="preview-channels">{t('byChannel', { sms, wechat })}</p>
      {preview.domestic && preview.domestic.recipients > 0 && (
        <p class="meta" data-testid="preview-domestic">
          {t('domesticCost', {
            n: preview.domestic.recipients,
            segments: preview.domestic.segments,
            amount: preview.domestic.amount.toFixed(2),
          })}
        </p>
      )}
      {preview.languages.map((l) => (
        <p key={l.language} class="meta" data-testid="preview-language">
          {t('encodingLine', {
            language: l.language,
            n: l.recipients,
            encoding: l.encoding,
            segments: l.segments,
          })}
          <br />
          <q>{l.sample}</q>
        </p>
      ))}
      <p class="meta">
        {t('perSegment', { amount: String(cost.perSegment), currency: cost.currency })}
        {cost.upTo > cost.amount ? ` · ${t('costUpTo', money(cost.upTo))}` : ''}
      </p>
      {x.optedOut + x.invalidAddress + x.noAddress + x.noText > 0 && (
        <p class="meta">
          {t('excludedLine', {
            optedOut: x.optedOut,
            invalid: x.invalidAddress,
            none: x.noAddress,
            noText: x.noText,
          })}
        </p>
      )}
    </div>
  );
}

/** `2026-12-05T18:30` typed in the centre's time (Asia/Shanghai, UTC+8 all year) as ISO with offset. */
const shanghaiIso = (local: string) => `${local}:00+08:00`;

function BroadcastCard({ broadcast: b, onChanged }: { broadcast: Broadcast; onChanged(): void }) {
  const { t, lang } = useI18n();
  const [sendAt, setSendAt] = useState('');
  const [error, setError] = useState<string | undefined>();
  const act = async (path: string, body: unknown) => {
    try {
      await api(`/api/broadcasts/${encodeURIComponent(b.id)}/${path}`, { method: 'POST', body });
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  // The list leaves the report out (it reads every recipient): each sent broadcast fetches its own.
  const detail = useGet<Broadcast>(
    b.status === 'draft' ? undefined : `/api/broadcasts/${encodeURIComponent(b.id)}`,
  );
  const report = detail.data?.report;
  const groups = report?.groups ?? {};
  const waiting = (groups.queued ?? 0) + (groups.sent ?? 0);
  return (
    <li class="card" data-testid="broadcast">
      <p>
        <span class="badge">{t(`bstatus_${b.status}`)}</span> {formatTime(b.createdAt, lang)}
      </p>
      <p>{b.texts['zh-CN'] ?? b.texts.en}</p>
      <p class="meta">{t('recipients', { n: b.preview.recipients })}</p>
      {report && (
        <p data-testid="report">
          {t('reportLine', { delivered: groups.delivered ?? 0, failed: groups.failed ?? 0, waiting })}{' '}
          <button type="button" class="link" onClick={detail.reload}>
            {t('refresh')}
          </button>
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {b.status === 'draft' && (
        <div class="row">
          <button type="button" class="primary" onClick={() => void act('approve', {})}>
            {t('approveNow')}
          </button>
          <label class="inline">
            {t('sendAt')}
            <input
              type="datetime-local"
              value={sendAt}
              onInput={(e) => setSendAt((e.target as HTMLInputElement).value)}
            />
          </label>
          <button
            type="button"
            disabled={!sendAt}
            onClick={() => void act('approve', { sendAt: shanghaiIso(sendAt) })}
          >
            {t('approveAt')}
          </button>
        </div>
      )}
      {(b.status === 'draft' || b.status === 'scheduled' || b.status === 'sending') && (
        <button type="button" onClick={() => void act('cancel', {})}>
          {t('cancelBroadcast')}
        </button>
      )}
    </li>
  );
}
