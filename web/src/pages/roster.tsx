// 名册: families, children and contacts; a CSV import checked row by row (a dry run) before anything
// is written; and printable WeChat link cards (a QR code and the steps, in Chinese).
import Papa from 'papaparse';
import { useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { Link } from 'wouter-preact';
import type { importView } from '#lib/api/roster-api.ts';
import type * as z from '#lib/zod.ts';
import { ApiError, api } from '../api.ts';
import { CATEGORIES } from '../categories.ts';
import { useCentre } from '../centre.tsx';
import { familyCodes } from '../family-code.ts';
import { useI18n } from '../i18n.tsx';
import { type ContactView, type FamilyView, useRoster } from '../roster-types.ts';
import { LoadState } from '../ui.tsx';
import { ContactEditForm, FamilyEditForm } from './roster-edit.tsx';

type ImportReport = z.output<typeof importView>;

/** What a valid line does (a dry run: would do), as the API's per-line result says. */
const RESULT_LABEL = {
  created: 'importCreated',
  updated: 'importUpdated',
  unchanged: 'importUnchanged',
} as const;

export function RosterPage() {
  const { t } = useI18n();
  const { centreId } = useCentre();
  const { families, contacts } = useRoster(centreId);
  const [card, setCard] = useState<LinkCard | undefined>();
  const [search, setSearch] = useState('');
  const reload = () => {
    families.reload();
    contacts.reload();
  };
  const codes = familyCodes((families.data?.families ?? []).map((f) => f.id));
  // Back from a card, read the roster again: the person may have linked with it meanwhile.
  if (card)
    return (
      <LinkCardView
        card={card}
        onBack={() => {
          setCard(undefined);
          reload();
        }}
      />
    );
  const wanted = search.trim().toUpperCase();
  return (
    <>
      <h1>{t('rosterTitle')}</h1>
      <label>
        {t('searchRoster')}
        <input
          type="search"
          value={search}
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
        />
      </label>
      <LoadState loaded={families}>
        {(data) => (
          <ul class="cards">
            {data.families
              .filter(
                (f) =>
                  !wanted ||
                  (codes.get(f.id) ?? '').includes(wanted) ||
                  f.name.includes(search.trim()) ||
                  f.children.some((c) => c.name.includes(search.trim())) ||
                  f.contacts.some((c) => c.name.includes(search.trim())),
              )
              .map((f) => (
                <FamilyCard
                  key={`${f.id}#${f.version}`}
                  family={f}
                  code={codes.get(f.id) ?? ''}
                  contacts={contacts.data?.contacts ?? []}
                  onCard={setCard}
                  onSaved={reload}
                />
              ))}
          </ul>
        )}
      </LoadState>
      <FamilyForm centreId={centreId} onSaved={reload} />
      <ContactForm
        centreId={centreId}
        families={families.data?.families ?? []}
        codes={codes}
        onSaved={reload}
      />
      <CsvImport centreId={centreId} onWritten={reload} />
    </>
  );
}

interface LinkCard {
  family: string;
  contactName: string;
  printed: string;
  expiresAt: string;
  qr: string;
}

function FamilyCard(props: {
  family: FamilyView;
  code: string;
  contacts: ContactView[];
  onCard(c: LinkCard): void;
  onSaved(): void;
}) {
  const { family: f } = props;
  const { t } = useI18n();
  const [error, setError] = useState<string | undefined>();
  // What is being edited: the family itself, or one of its contacts (by id).
  const [editing, setEditing] = useState<string | undefined>();
  const saved = () => {
    setEditing(undefined);
    props.onSaved();
  };
  const issue = async (contactId: string) => {
    try {
      const code = await api<{ contactName: string; code: string; printed: string; expiresAt: string }>(
        `/api/contacts/${encodeURIComponent(contactId)}/link-code`,
        { method: 'POST', body: {} },
      );
      // The QR code carries the code itself: scanning it in WeChat shows the code to send.
      const qr = await QRCode.toDataURL(code.code, { margin: 1, width: 240 });
      props.onCard({
        family: f.name,
        contactName: code.contactName,
        printed: code.printed,
        expiresAt: code.expiresAt,
        qr,
      });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <li class="card" data-testid="family">
      <h2>
        <span class="badge" data-testid="family-code" title={t('familyCodeHint')}>
          {props.code}
        </span>{' '}
        {f.name}
      </h2>
      <p>
        {f.children
          .map(
            (c) =>
              `${c.name}（${c.birthYear}，${t(CATEGORIES.find((k) => k.id === c.category)?.label ?? 'catWithParents')}）`,
          )
          .join('、')}{' '}
        <button type="button" class="link" onClick={() => setEditing('family')}>
          {t('edit')}
          <span class="visually-hidden"> {f.name}</span>
        </button>{' '}
        <Link href={`/exports?family=${encodeURIComponent(f.id)}`}>
          {t('eraseLink')}
          <span class="visually-hidden"> {f.name}</span>
        </Link>
      </p>
      {editing === 'family' && (
        <FamilyEditForm family={f} code={props.code} onDone={saved} onCancel={() => setEditing(undefined)} />
      )}
      <ul class="plain">
        {f.contacts.map((c) => {
          const full = props.contacts.find((x) => x.id === c.id);
          const wechat = full?.addresses.some((a) => a.channel === 'wechat');
          return (
            <li key={c.id} data-testid="family-contact">
              {c.name}（{t(`role_${c.role}`)}）{wechat ? ` · ${t('wechatLinked')}` : ''}
              {full?.optedOut ? ` · ${t('optedOut')}` : ''}{' '}
              <button type="button" class="link" onClick={() => void issue(c.id)}>
                {t('linkCard')}
                <span class="visually-hidden"> {c.name}</span>
              </button>
              {full && (
                <button type="button" class="link" onClick={() => setEditing(c.id)}>
                  {t('edit')}
                  <span class="visually-hidden"> {c.name}</span>
                </button>
              )}
              {full && editing === c.id && (
                <ContactEditForm contact={full} onDone={saved} onCancel={() => setEditing(undefined)} />
              )}
            </li>
          );
        })}
      </ul>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function LinkCardView({ card, onBack }: { card: LinkCard; onBack(): void }) {
  const { t } = useI18n();
  return (
    <div class="link-card-page">
      <div class="row no-print">
        <button type="button" onClick={onBack}>
          ← {t('rosterTitle')}
        </button>
        <button type="button" class="primary" onClick={() => window.print()}>
          {t('print')}
        </button>
      </div>
      <article class="link-card" data-testid="link-card" lang="zh-CN">
        <h1>连心 · 微信绑定卡</h1>
        <p>
          {card.family} · {card.contactName}
        </p>
        <img src={card.qr} alt={`绑定码 ${card.printed}`} width={200} height={200} />
        <p class="code" data-testid="link-code">
          {card.printed}
        </p>
        <ol>
          <li>打开微信，关注「连心」公众号。</li>
          <li>在公众号对话里发送上面的 8 位绑定码（空格可不写）。</li>
          <li>收到「绑定成功」后，每周签到就可以在微信里回答了。</li>
        </ol>
        <p class="meta">有效期至 {card.expiresAt.slice(0, 10)}；只能使用一次。有问题请找儿童之家的老师。</p>
      </article>
    </div>
  );
}

function FamilyForm({ centreId, onSaved }: { centreId: string; onSaved(): void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const d = new FormData(form);
    try {
      await api('/api/families', {
        method: 'POST',
        body: {
          centre: centreId,
          name: d.get('family'),
          children: [
            { name: d.get('child'), birthYear: Number(d.get('birthYear')), category: d.get('category') },
          ],
        },
      });
      form.reset();
      setError(undefined);
      onSaved();
    } catch (err) {
      setError(describe(err));
    }
  };
  return (
    <form class="panel" onSubmit={(e) => void submit(e)}>
      <h2>{t('addFamily')}</h2>
      <label>
        {t('familyName')}
        <input name="family" required maxLength={64} />
      </label>
      <label>
        {t('childName')}
        <input name="child" required maxLength={32} />
      </label>
      <label>
        {t('birthYear')}
        <input name="birthYear" type="number" inputMode="numeric" min={2005} max={2030} required />
      </label>
      <label>
        {t('category')}
        <select name="category">
          {CATEGORIES.map((c) => (
            <option key={c.id} value={c.id}>
              {t(c.label)}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary">
        {t('save')}
      </button>
    </form>
  );
}

function ContactForm({
  centreId,
  families,
  codes,
  onSaved,
}: {
  centreId: string;
  families: FamilyView[];
  codes: Map<string, string>;
  onSaved(): void;
}) {
  const { t } = useI18n();
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const d = new FormData(form);
    const family = String(d.get('family') ?? '');
    try {
      await api('/api/contacts', {
        method: 'POST',
        body: {
          centre: centreId,
          name: d.get('name'),
          role: d.get('role'),
          language: d.get('language'),
          phones: [d.get('phone')],
          families: family ? [family] : [],
        },
      });
      form.reset();
      setError(undefined);
      onSaved();
    } catch (err) {
      setError(describe(err));
    }
  };
  return (
    <form class="panel" onSubmit={(e) => void submit(e)}>
      <h2>{t('addContact')}</h2>
      <label>
        {t('contactName')}
        <input name="name" required maxLength={64} />
      </label>
      <label>
        {t('role')}
        <select name="role">
          <option value="carer">{t('role_carer')}</option>
          <option value="parent">{t('role_parent')}</option>
          <option value="coordinator">{t('role_coordinator')}</option>
        </select>
      </label>
      <label>
        {t('phone')}
        <input name="phone" type="tel" inputMode="tel" required />
      </label>
      <label>
        {t('language')}
        <select name="language">
          <option value="zh-CN">中文</option>
          <option value="en">English</option>
        </select>
      </label>
      <label>
        {t('familyName')}
        <select name="family">
          <option value="">—</option>
          {families.map((f) => (
            <option key={f.id} value={f.id}>
              {codes.get(f.id)} {f.name}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary">
        {t('save')}
      </button>
    </form>
  );
}

function describe(err: unknown): string {
  if (err instanceof ApiError && err.fields.length > 0)
    return err.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return (err as Error).message;
}

const SAMPLE_CSV = 'family,child,birth_year,category,consent,contact,role,phone,language\n';

function CsvImport({ centreId, onWritten }: { centreId: string; onWritten(): void }) {
  const { t } = useI18n();
  const [csv, setCsv] = useState(SAMPLE_CSV);
  const [report, setReport] = useState<ImportReport | undefined>();
  const [written, setWritten] = useState(false);
  const [error, setError] = useState<string | undefined>();
  // The file as the browser reads it (papaparse), shown beside the server's verdict for each line.
  const rows = Papa.parse<string[]>(csv.trim(), { skipEmptyLines: true }).data;
  const send = async (dryRun: boolean) => {
    setError(undefined);
    try {
      const q = `centre=${encodeURIComponent(centreId)}&dryRun=${dryRun}&acceptValidRows=${!dryRun}`;
      const r = await api<ImportReport>(`/api/roster/import?${q}`, {
        method: 'POST',
        body: csv,
        contentType: 'text/csv',
      });
      setReport(r);
      setWritten(!dryRun && r.written);
      if (!dryRun) onWritten();
    } catch (e) {
      setError(describe(e));
    }
  };
  const readFile = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) {
      setCsv(await file.text());
      setReport(undefined);
    }
  };
  return (
    <section class="panel">
      <h2>{t('importTitle')}</h2>
      <label>
        {t('importFile')}
        <input type="file" accept=".csv,text/csv" onChange={(e) => void readFile(e)} />
      </label>
      <label>
        {t('importText')}
        <textarea
          rows={5}
          value={csv}
          onInput={(e) => {
            setCsv((e.target as HTMLTextAreaElement).value);
            setReport(undefined);
          }}
        />
      </label>
      <div class="row">
        <button type="button" onClick={() => void send(true)}>
          {t('dryRun')}
        </button>
        {report && !written && report.valid > 0 && (
          <button type="button" class="primary" onClick={() => void send(false)}>
            {t('importValid', { n: report.valid })}
          </button>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <div data-testid="import-report">
          <p>
            {report.fileError ??
              t(written ? 'importWritten' : 'importChecked', {
                valid: report.valid,
                invalid: report.invalid,
              })}
          </p>
          {!report.fileError && <p data-testid="import-summary">{t('importSummary', report.summary)}</p>}
          <div class="scroll">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">{t('line')}</th>
                  <th scope="col">{t('row')}</th>
                  <th scope="col">{t('result')}</th>
                  <th scope="col">{t('importChanges')}</th>
                </tr>
              </thead>
              <tbody>
                {report.lines.map((l) => (
                  <tr
                    key={l.line}
                    class={l.status === 'valid' ? (l.result ?? 'valid') : 'invalid'}
                    data-testid="import-line"
                  >
                    <th scope="row">{l.line}</th>
                    <td>{(rows[l.line - 1] ?? []).join(', ')}</td>
                    <td data-testid="import-result">
                      {t(l.status === 'valid' ? RESULT_LABEL[l.result ?? 'created'] : 'importRefused')}
                    </td>
                    <td>
                      {l.status === 'invalid' ? (
                        l.reasons.join('; ')
                      ) : (
                        <>
                          {(l.changes ?? []).length > 0 && (
                            <ul class="changes">
                              {(l.changes ?? []).map((c) => (
                                <li key={c}>{c}</li>
                              ))}
                            </ul>
                          )}
                          {l.notice && (
                            <p class="error" data-testid="import-notice">
                              {l.notice}
                            </p>
                          )}
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
