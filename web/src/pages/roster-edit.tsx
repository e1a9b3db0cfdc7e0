// 名册's edit forms for a family (its name and children) and a contact, with the API's version check:
// only the fields the coordinator changed are sent, with the version they read. When someone else
// wrote in between (the API answers 409 with the record as stored now), both values are shown side by
// side and the coordinator chooses, field by field, what to keep. A contact's opt-out is shown but
// never edited: only the person can resume.
import { useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { CATEGORIES } from '../categories.ts';
import { useI18n } from '../i18n.tsx';
import type { MessageKey } from '../messages.ts';
import type { ContactView, FamilyView } from '../roster-types.ts';
import { formatTime } from '../ui.tsx';

type Category = FamilyView['children'][number]['category'];
type Language = ContactView['language'];

/** One editable field: its label, and how it reads as text (what the conflict view compares). */
interface FieldSpec<V> {
  key: keyof V & string;
  label: MessageKey;
  show(values: V): string;
}

interface Conflict<V> {
  stored: V;
  version: number;
  choice: Record<string, 'mine' | 'stored'>;
}

/**
 * The edit-save-conflict cycle both forms share: `original` is what was read, `values` what the
 * coordinator has now. A 409 with the current record opens the conflict view: a field the coordinator
 * changed keeps their value unless they choose otherwise; any other field keeps the stored one.
 */
function useVersionedEdit<V extends object>(opts: {
  original: V;
  version: number;
  fields: FieldSpec<V>[];
  fromView(current: unknown): { values: V; version: number };
  save(changed: Partial<V>, version: number): Promise<unknown>;
  onSaved(): void;
}) {
  const [values, setValues] = useState<V>(opts.original);
  const [conflict, setConflict] = useState<Conflict<V> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const same = (f: FieldSpec<V>, a: V, b: V) => f.show(a) === f.show(b);

  const attempt = async (changed: Partial<V>, version: number) => {
    setBusy(true);
    setError(undefined);
    try {
      await opts.save(changed, version);
      setConflict(undefined);
      opts.onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.current !== undefined) {
        const now = opts.fromView(err.current);
        const choice: Record<string, 'mine' | 'stored'> = {};
        for (const f of opts.fields) choice[f.key] = same(f, values, opts.original) ? 'stored' : 'mine';
        setConflict({ stored: now.values, version: now.version, choice });
      } else if (err instanceof ApiError && err.fields.length > 0) {
        setError(err.fields.map((f) => `${f.field}: ${f.message}`).join('; '));
      } else {
        setError((err as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const changed: Partial<V> = {};
    for (const f of opts.fields) if (!same(f, values, opts.original)) changed[f.key] = values[f.key];
    if (Object.keys(changed).length === 0) return opts.onSaved();
    void attempt(changed, opts.version);
  };

  const resolve = () => {
    if (!conflict) return;
    const changed: Partial<V> = {};
    for (const f of opts.fields)
      if (conflict.choice[f.key] === 'mine' && !same(f, values, conflict.stored))
        changed[f.key] = values[f.key];
    if (Object.keys(changed).length === 0) return opts.onSaved();
    void attempt(changed, conflict.version);
  };

  const choose = (key: string, side: 'mine' | 'stored') =>
    setConflict((c) => (c ? { ...c, choice: { ...c.choice, [key]: side } } : c));

  return { values, setValues, conflict, choose, error, busy, submit, resolve };
}

function ConflictView<V extends object>(props: {
  fields: FieldSpec<V>[];
  mine: V;
  conflict: Conflict<V>;
  busy: boolean;
  onChoose(key: string, choice: 'mine' | 'stored'): void;
  onSave(): void;
  onDiscard(): void;
}) {
  const { t } = useI18n();
  const { conflict } = props;
  const differing = props.fields.filter((f) => f.show(props.mine) !== f.show(conflict.stored));
  return (
    <div class="conflict" role="alert" data-testid="conflict">
      <h3>{t('conflictTitle')}</h3>
      <p>{t('conflictHelp')}</p>
      {/* One group per field, the two values one under the other: readable on a 360 px phone. */}
      {differing.map((f) => (
        <fieldset key={f.key} class="choice" data-testid={`conflict-${f.key}`}>
          <legend>{t(f.label)}</legend>
          {(['mine', 'stored'] as const).map((side) => (
            <label key={side}>
              <input
                type="radio"
                name={`conflict-${f.key}`}
                checked={conflict.choice[f.key] === side}
                onChange={() => props.onChoose(f.key, side)}
              />
              <span class="side">{t(side === 'mine' ? 'conflictMine' : 'conflictStored')}：</span>
              <span data-testid={`conflict-${f.key}-${side}`}>
                {f.show(side === 'mine' ? props.mine : conflict.stored) || '—'}
              </span>
            </label>
          ))}
        </fieldset>
      ))}
      <div class="row">
        <button type="button" class="primary" disabled={props.busy} onClick={props.onSave}>
          {t('conflictSave')}
        </button>
        <button type="button" disabled={props.busy} onClick={props.onDiscard}>
          {t('conflictDiscard')}
        </button>
      </div>
    </div>
  );
}

/** The end of both forms: the error, then either the conflict view or save and cancel. */
function EditFooter<V extends object>(props: {
  edit: ReturnType<typeof useVersionedEdit<V>>;
  fields: FieldSpec<V>[];
  onDone(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { edit } = props;
  return (
    <>
      {edit.error && (
        <p class="error" role="alert">
          {edit.error}
        </p>
      )}
      {edit.conflict ? (
        <ConflictView
          fields={props.fields}
          mine={edit.values}
          conflict={edit.conflict}
          busy={edit.busy}
          onChoose={edit.choose}
          onSave={edit.resolve}
          onDiscard={props.onDone}
        />
      ) : (
        <div class="row">
          <button type="submit" class="primary" disabled={edit.busy}>
            {t('save')}
          </button>
          <button type="button" onClick={props.onCancel}>
            {t('cancel')}
          </button>
        </div>
      )}
    </>
  );
}

// ---- contact ----

interface ContactValues {
  name: string;
  relationship: string;
  language: Language;
  phones: string;
}

const smsNumbers = (c: ContactView) =>
  c.addresses
    .filter((a) => a.channel === 'sms')
    .map((a) => a.address)
    .join(', ');
const contactValues = (c: ContactView): ContactValues => ({
  name: c.name,
  relationship: c.relationship ?? '',
  language: c.language,
  phones: smsNumbers(c),
});
const splitPhones = (text: string) =>
  text
    .split(/[,，、;；\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);

const CONTACT_FIELDS: FieldSpec<ContactValues>[] = [
  { key: 'name', label: 'contactName', show: (v) => v.name.trim() },
  { key: 'relationship', label: 'relationship', show: (v) => v.relationship.trim() },
  { key: 'language', label: 'language', show: (v) => (v.language === 'en' ? 'English' : '中文') },
  { key: 'phones', label: 'phones', show: (v) => splitPhones(v.phones).join(', ') },
];

export function ContactEditForm(props: { contact: ContactView; onDone(): void; onCancel(): void }) {
  const { contact } = props;
  const { t, lang } = useI18n();
  const edit = useVersionedEdit<ContactValues>({
    original: contactValues(contact),
    version: contact.version,
    fields: CONTACT_FIELDS,
    fromView: (current) => {
      const c = current as ContactView;
      return { values: contactValues(c), version: c.version };
    },
    save: (changed, version) =>
      api(`/api/contacts/${encodeURIComponent(contact.id)}`, {
        method: 'POST',
        body: {
          ...(changed.name === undefined ? {} : { name: changed.name.trim() }),
          ...(changed.relationship === undefined ? {} : { relationship: changed.relationship.trim() }),
          ...(changed.language === undefined ? {} : { language: changed.language }),
          ...(changed.phones === undefined ? {} : { phones: splitPhones(changed.phones) }),
          version,
        },
      }),
    onSaved: props.onDone,
  });
  const v = edit.values;
  const set = (patch: Partial<ContactValues>) => edit.setValues({ ...v, ...patch });
  const id = (field: string) => `contact-${contact.id}-${field}`;
  return (
    <form class="panel edit" data-testid="contact-edit" onSubmit={edit.submit}>
      <h3>{t('editContact', { name: contact.name })}</h3>
      <label for={id('name')}>{t('contactName')}</label>
      <input
        id={id('name')}
        name="name"
        required
        maxLength={64}
        value={v.name}
        onInput={(e) => set({ name: (e.target as HTMLInputElement).value })}
      />
      <label for={id('relationship')}>{t('relationship')}</label>
      <input
        id={id('relationship')}
        name="relationship"
        maxLength={32}
        value={v.relationship}
        onInput={(e) => set({ relationship: (e.target as HTMLInputElement).value })}
      />
      <label for={id('phones')}>{t('phones')}</label>
      <input
        id={id('phones')}
        name="phones"
        type="tel"
        inputMode="tel"
        required
        value={v.phones}
        onInput={(e) => set({ phones: (e.target as HTMLInputElement).value })}
      />
      <label for={id('language')}>{t('language')}</label>
      <select
        id={id('language')}
        name="language"
        value={v.language}
        onChange={(e) => set({ language: (e.target as HTMLSelectElement).value as Language })}
      >
        <option value="zh-CN">中文</option>
        <option value="en">English</option>
      </select>
      <p data-testid="opt-out-state">
        <strong>{t('optOutState')}：</strong>
        {contact.optedOut
          ? t('optOutActive', { at: contact.optedOutAt ? formatTime(contact.optedOutAt, lang) : '—' })
          : t('optOutNone')}
      </p>
      <EditFooter edit={edit} fields={CONTACT_FIELDS} onDone={props.onDone} onCancel={props.onCancel} />
    </form>
  );
}

// ---- family ----

interface ChildValues {
  id: string | undefined;
  name: string;
  birthYear: string;
  category: Category;
}
interface FamilyValues {
  name: string;
  children: ChildValues[];
}

const familyValues = (f: FamilyView): FamilyValues => ({
  name: f.name,
  children: f.children.map((c) => ({
    id: c.id,
    name: c.name,
    birthYear: String(c.birthYear),
    category: c.category,
  })),
});
/** The children as the family keeps them: a new row left blank is no child. */
const realChildren = (v: FamilyValues) => v.children.filter((c) => c.id || c.name.trim() !== '');

export function FamilyEditForm(props: {
  family: FamilyView;
  code: string;
  onDone(): void;
  onCancel(): void;
}) {
  const { family } = props;
  const { t } = useI18n();
  const categoryLabel = (id: Category) => t(CATEGORIES.find((k) => k.id === id)?.label ?? 'catWithParents');
  const fields: FieldSpec<FamilyValues>[] = [
    { key: 'name', label: 'familyName', show: (v) => v.name.trim() },
    {
      key: 'children',
      label: 'childrenField',
      show: (v) =>
        realChildren(v)
          .map((c) => `${c.name.trim()}（${c.birthYear}，${categoryLabel(c.category)}）`)
          .join('、'),
    },
  ];
  // The children as last read from the API: a child someone else added meanwhile is kept whatever
  // the coordinator chooses, since leaving a child out of the list would erase them.
  const known = useRef(familyValues(family).children);
  const edit = useVersionedEdit<FamilyValues>({
    original: familyValues(family),
    version: family.version,
    fields,
    fromView: (current) => {
      const f = current as FamilyView;
      known.current = familyValues(f).children;
      return { values: familyValues(f), version: f.version };
    },
    save: (changed, version) =>
      api(`/api/families/${encodeURIComponent(family.id)}`, {
        method: 'POST',
        body: {
          ...(changed.name === undefined ? {} : { name: changed.name.trim() }),
          // Children are sent only when changed: the list replaces the family's, and a child left out
          // is erased with their answers. This form never leaves one out: it only edits and adds.
          ...(changed.children === undefined
            ? {}
            : {
                children: [
                  ...realChildren({ name: '', children: changed.children }),
                  ...known.current.filter((k) => !changed.children?.some((c) => c.id === k.id)),
                ].map((c) => ({
                  ...(c.id ? { id: c.id } : {}),
                  name: c.name.trim(),
                  birthYear: Number(c.birthYear),
                  category: c.category,
                })),
              }),
          version,
        },
      }),
    onSaved: props.onDone,
  });
  const v = edit.values;
  const setChild = (i: number, patch: Partial<ChildValues>) =>
    edit.setValues({ ...v, children: v.children.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  const id = (field: string) => `family-${family.id}-${field}`;
  return (
    <form class="panel edit" data-testid="family-edit" onSubmit={edit.submit}>
      <h3>{t('editFamily', { code: props.code })}</h3>
      <label for={id('name')}>{t('familyName')}</label>
      <input
        id={id('name')}
        name="family"
        required
        maxLength={64}
        value={v.name}
        onInput={(e) => edit.setValues({ ...v, name: (e.target as HTMLInputElement).value })}
      />
      {v.children.map((c, i) => (
        <fieldset key={c.id ?? `new-${i}`}>
          <legend>
            {t('childName')} {i + 1}
          </legend>
          <label for={id(`child-${i}`)}>{t('childName')}</label>
          <input
            id={id(`child-${i}`)}
            required={Boolean(c.id)}
            maxLength={32}
            value={c.name}
            onInput={(e) => setChild(i, { name: (e.target as HTMLInputElement).value })}
          />
          <label for={id(`year-${i}`)}>{t('birthYear')}</label>
          <input
            id={id(`year-${i}`)}
            type="number"
            inputMode="numeric"
            min={2005}
            max={2030}
            required={Boolean(c.id) || c.name.trim() !== ''}
            value={c.birthYear}
            onInput={(e) => setChild(i, { birthYear: (e.target as HTMLInputElement).value })}
          />
          <label for={id(`category-${i}`)}>{t('category')}</label>
          <select
            id={id(`category-${i}`)}
            value={c.category}
            onChange={(e) => setChild(i, { category: (e.target as HTMLSelectElement).value as Category })}
          >
            {CATEGORIES.map((k) => (
              <option key={k.id} value={k.id}>
                {t(k.label)}
              </option>
            ))}
          </select>
        </fieldset>
      ))}
      {!v.children.some((c) => !c.id) && (
        <button
          type="button"
          onClick={() =>
            edit.setValues({
              ...v,
              children: [...v.children, { id: undefined, name: '', birthYear: '', category: 'both-away' }],
            })
          }
        >
          + {t('childName')}
        </button>
      )}
      <EditFooter edit={edit} fields={fields} onDone={props.onDone} onCancel={props.onCancel} />
    </form>
  );
}
