// The roster CSV import, pure: parse, normalise and validate a file into families and contacts, with a
// per-line report. Nothing here reads or writes the store (lib/roster/roster-import.ts does).
//
// Layout (header row required, column order free, names case-insensitive):
//   family, child, birth_year, category, consent, contact, role, phone, language
// One row per contact-child relation: 李奶奶 caring for 小明 and 小红 is two rows. A coordinator (or a
// contact with no child yet) leaves family and the child columns empty. `consent`: items shared with
// the parents, separated by `;` or `|` (attendance;mood;school;health), empty = nothing shared.
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import {
  CHILD_CATEGORIES,
  type ChildCategory,
  CONTACT_ROLES,
  type ContactRole,
  LANGUAGES,
  type Language,
} from '#lib/domain/model.ts';

export const CSV_COLUMNS = [
  'family',
  'child',
  'birth_year',
  'category',
  'consent',
  'contact',
  'role',
  'phone',
  'language',
] as const;
const REQUIRED_COLUMNS = ['contact', 'role', 'phone'] as const;
const CONSENT_ITEMS = ['attendance', 'mood', 'school', 'health'] as const;
type ConsentItem = (typeof CONSENT_ITEMS)[number];

export interface ImportChild {
  childId: string;
  familyId: string;
  name: string;
  birthYear: number;
  category: ChildCategory;
  consent: Record<ConsentItem, boolean>;
}
export interface ImportFamily {
  familyId: string;
  name: string;
  children: ImportChild[];
}
export interface ImportContact {
  contactId: string;
  name: string;
  role: ContactRole;
  language: Language;
  /** E.164 */
  phone: string;
  familyIds: string[];
  /** The lines that name this contact. */
  lines: number[];
}

/** What an import does (or, in a dry run, would do) with a line. */
export type RowResult = 'created' | 'updated' | 'unchanged' | 'refused';

export interface LineReport {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  status: 'valid' | 'invalid';
  reasons: string[];
  /** A valid line compared with the store (lib/roster/import-report.ts); an invalid line is refused. */
  result?: Exclude<RowResult, 'refused'>;
  /** What is new or different from the roster (created/updated), column by column. */
  changes?: string[];
  /** Written, but not as the file says (a contact who said stop stays opted out). */
  notice?: string;
}

/** The family, child and contact a valid line names (by their derived ids). */
export interface LineRefs {
  line: number;
  familyId?: string;
  childId?: string;
  contactId?: string;
}

export interface ParsedImport {
  /** Set when the file as a whole cannot be read (no header, missing columns); no rows then. */
  fileError?: string;
  lines: LineReport[];
  /** Built from the valid lines only. */
  families: ImportFamily[];
  contacts: ImportContact[];
  /** For each valid line, what it names. */
  refs: LineRefs[];
}

interface Row {
  line: number;
  family: string;
  child: string;
  birthYear: number | undefined;
  category: ChildCategory | undefined;
  consent: Record<ConsentItem, boolean>;
  contact: string;
  role: ContactRole | undefined;
  phone: string | undefined;
  language: Language;
}

/** Ids are derived from the centre and the row's content, so importing the same file twice is harmless. */
const derivedId = (prefix: string, ...parts: string[]): string =>
  `${prefix}-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16)}`;

/**
 * E.164 for a mobile number typed the way people type it (full-width digits, spaces, +86, 0086), or
 * undefined. Mobile numbers only: SMS needs one (and the mobile metadata keeps the bundle small).
 */
export function normalisePhone(raw: string, defaultRegion: 'CN' = 'CN'): string | undefined {
  const text = raw.normalize('NFKC').replace(/[\s\-().]/g, '');
  if (!/^\+?\d{5,20}$/.test(text)) return undefined;
  const withPlus = text.startsWith('00') ? `+${text.slice(2)}` : text;
  const parsed = parsePhoneNumberFromString(withPlus, defaultRegion);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** RFC 4180 records: quoted fields (with commas, quotes doubled, newlines), CRLF or LF, a BOM dropped. */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const source = text.replace(/^\uFEFF/, '');
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += c;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records.filter((r) => r.fields.some((f) => f.trim() !== ''));
}

export function parseRosterCsv(text: string, centreId: string): ParsedImport {
  const records = parseCsvRecords(text);
  const header = records.shift();
  if (!header) return { fileError: 'the file is empty', lines: [], families: [], contacts: [], refs: [] };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `missing columns: ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown columns: ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    return { fileError: `line 1: ${parts.join('; ')}`, lines: [], families: [], contacts: [], refs: [] };
  }

  const reasons = new Map<number, string[]>();
  const fail = (line: number, reason: string) => reasons.set(line, [...(reasons.get(line) ?? []), reason]);
  const rows: Row[] = records.map(({ line, fields }) => {
    const get = (name: string) => {
      const i = columns.indexOf(name);
      return i < 0 ? '' : (fields[i] ?? '').normalize('NFC').trim();
    };
    if (fields.length > columns.length)
      fail(line, `${fields.length} fields, the header has ${columns.length}`);
    return readRow(line, get, fail);
  });

  // Consistency across lines: one contact per number, one child per family and name, no repeated relation.
  const byPhone = new Map<string, Row[]>();
  const byChild = new Map<string, Row[]>();
  const relations = new Map<string, number>();
  for (const row of rows) {
    if (row.phone) byPhone.set(row.phone, [...(byPhone.get(row.phone) ?? []), row]);
    if (row.family && row.child) {
      const k = `${row.family}\u0000${row.child}`;
      byChild.set(k, [...(byChild.get(k) ?? []), row]);
    }
    if (row.phone) {
      const relation = `${row.phone}\u0000${row.family}\u0000${row.child}`;
      const first = relations.get(relation);
      if (first !== undefined) fail(row.line, `duplicate of line ${first}`);
      else relations.set(relation, row.line);
    }
  }
  for (const [, same] of byPhone) {
    const first = same[0] as Row;
    for (const row of same.slice(1)) {
      const differ = conflicts(row, first, {
        contact: (r) => r.contact,
        role: (r) => r.role ?? '',
        language: (r) => r.language,
      });
      if (differ.length > 0)
        fail(
          row.line,
          `phone: the same number as line ${first.line} (one number is one contact), but ${differ.join(', ')}`,
        );
    }
  }
  for (const [, same] of byChild) {
    const first = same[0] as Row;
    for (const row of same.slice(1)) {
      const differ = conflicts(row, first, {
        birth_year: (r) => String(r.birthYear ?? ''),
        category: (r) => r.category ?? '',
        consent: (r) => consentText(r.consent),
      });
      if (differ.length > 0)
        fail(row.line, `child: the same child as line ${first.line}, but ${differ.join(', ')}`);
    }
  }

  const lines: LineReport[] = rows.map((r) => {
    const why = reasons.get(r.line) ?? [];
    return { line: r.line, status: why.length === 0 ? 'valid' : 'invalid', reasons: why };
  });
  const valid = rows.filter((r) => !reasons.has(r.line));
  return { lines, ...build(valid, centreId) };
}

/** `column contact is "王奶奶" here and "李奶奶" on line 2`, for each column whose values differ. */
function conflicts(row: Row, first: Row, columns: Record<string, (r: Row) => string>): string[] {
  return Object.entries(columns)
    .filter(([, value]) => value(row) !== value(first))
    .map(
      ([column, value]) =>
        `column ${column} is "${value(row)}" here and "${value(first)}" on line ${first.line}`,
    );
}

/** Consent as the CSV writes it: the shared items, `;`-separated. */
function consentText(consent: Record<ConsentItem, boolean>): string {
  return Object.entries(consent)
    .filter(([, shared]) => shared)
    .map(([item]) => item)
    .join(';');
}

function readRow(
  line: number,
  get: (name: string) => string,
  fail: (line: number, reason: string) => void,
): Row {
  const family = get('family');
  const child = get('child');
  const contact = get('contact');
  if (!contact) fail(line, 'contact: required');
  else if (contact.length > 64) fail(line, 'contact: at most 64 characters');
  const roleText = get('role').toLowerCase();
  const role = (CONTACT_ROLES as readonly string[]).includes(roleText)
    ? (roleText as ContactRole)
    : undefined;
  if (!role) fail(line, `role: one of ${CONTACT_ROLES.join(', ')}`);
  const rawPhone = get('phone');
  const phone = rawPhone ? normalisePhone(rawPhone) : undefined;
  if (!rawPhone) fail(line, 'phone: required');
  else if (!phone) fail(line, 'phone: not a valid mobile number');
  const languageText = get('language') || 'zh-CN';
  const language = LANGUAGES.find((l) => l.toLowerCase() === languageText.toLowerCase());
  if (!language) fail(line, `language: one of ${LANGUAGES.join(', ')}`);

  let birthYear: number | undefined;
  let category: ChildCategory | undefined;
  const consent = { attendance: false, mood: false, school: false, health: false };
  if (child && !family) fail(line, 'family: required with a child');
  if (family.length > 64) fail(line, 'family: at most 64 characters');
  if (family && !child) fail(line, 'child: required with a family');
  if (child) {
    if (child.length > 32) fail(line, 'child: at most 32 characters');
    const year = get('birth_year').normalize('NFKC');
    birthYear = /^\d{4}$/.test(year) ? Number(year) : undefined;
    if (birthYear === undefined || birthYear < 1990 || birthYear > 2100)
      fail(line, 'birth_year: a year, 1990-2100');
    const categoryText = get('category').toLowerCase();
    category = (CHILD_CATEGORIES as readonly string[]).includes(categoryText)
      ? (categoryText as ChildCategory)
      : undefined;
    if (!category) fail(line, `category: one of ${CHILD_CATEGORIES.join(', ')}`);
    for (const item of get('consent')
      .toLowerCase()
      .split(/[;|；]/)
      .map((s) => s.trim())
      .filter(Boolean)) {
      if ((CONSENT_ITEMS as readonly string[]).includes(item)) consent[item as ConsentItem] = true;
      else fail(line, `consent: ${CONSENT_ITEMS.join(', ')} separated by ;`);
    }
    if (role === 'coordinator') fail(line, 'role: a coordinator has no family or child');
  }
  return {
    line,
    family,
    child,
    birthYear,
    category,
    consent,
    contact,
    role,
    phone,
    language: language ?? 'zh-CN',
  };
}

function build(rows: Row[], centreId: string): Pick<ParsedImport, 'families' | 'contacts' | 'refs'> {
  const families = new Map<string, ImportFamily>();
  const contacts = new Map<string, ImportContact>();
  const refs: LineRefs[] = [];
  for (const row of rows) {
    const ref: LineRefs = { line: row.line };
    refs.push(ref);
    let familyId: string | undefined;
    if (row.family && row.child && row.birthYear !== undefined && row.category) {
      familyId = derivedId('fam', centreId, row.family);
      const family = families.get(familyId) ?? { familyId, name: row.family, children: [] };
      families.set(familyId, family);
      const childId = derivedId('chd', centreId, row.family, row.child);
      ref.familyId = familyId;
      ref.childId = childId;
      if (!family.children.some((c) => c.childId === childId))
        family.children.push({
          childId,
          familyId,
          name: row.child,
          birthYear: row.birthYear,
          category: row.category,
          consent: row.consent,
        });
    }
    if (!row.phone || !row.role) continue;
    const contactId = derivedId('con', centreId, row.phone);
    ref.contactId = contactId;
    const contact = contacts.get(contactId) ?? {
      contactId,
      name: row.contact,
      role: row.role,
      language: row.language,
      phone: row.phone,
      familyIds: [],
      lines: [],
    };
    if (familyId && !contact.familyIds.includes(familyId)) contact.familyIds.push(familyId);
    contact.lines.push(row.line);
    contacts.set(contactId, contact);
  }
  return { families: [...families.values()], contacts: [...contacts.values()], refs };
}
