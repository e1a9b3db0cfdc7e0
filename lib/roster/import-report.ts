// The per-line result of a roster import, pure: each valid line compared with what the roster holds
// before the import (created / updated / unchanged, with what is new or different, column by column),
// each invalid line refused with its reasons, and a line of a contact who said stop told that they
// stay opted out. The same for a dry run (what would happen) and a write, so the console's table and
// the CLI say the same. Importing the same file twice: every line unchanged the second time.
import type { ImportFamily, ParsedImport, RowResult } from '#lib/roster/csv-import.ts';

/** What the roster holds before the import, for the families and contacts the file names. */
export interface RosterBefore {
  families: ReadonlyMap<
    string,
    {
      name: string;
      children: readonly {
        childId: string;
        birthYear: number;
        category: string;
        consent?: Partial<Record<ConsentItem, boolean>> | undefined;
      }[];
    }
  >;
  contacts: ReadonlyMap<
    string,
    {
      name: string;
      role: string;
      language: string;
      familyIds?: readonly string[] | undefined;
      optedOut?: boolean | undefined;
      optedOutAt?: string | undefined;
    }
  >;
}

type ConsentItem = 'attendance' | 'mood' | 'school' | 'health';
const CONSENT_ITEMS: readonly ConsentItem[] = ['attendance', 'mood', 'school', 'health'];

export type ImportSummary = Record<RowResult, number>;

/** The notice of a line whose contact said stop: the import does not change that. */
export function optedOutNotice(name: string, optedOutAt: string | undefined): string {
  return `${name} said stop${optedOutAt ? ` (${optedOutAt})` : ''} and stays opted out: only they can resume (START/恢复)`;
}

const consentText = (consent: Partial<Record<ConsentItem, boolean>> | undefined): string =>
  CONSENT_ITEMS.filter((item) => consent?.[item] === true).join(';');

/**
 * Sets `result` (created / updated / unchanged), `changes` and `notice` on every valid line of
 * `parsed`; returns the counts, the invalid lines counted as refused.
 */
export function reportLines(parsed: ParsedImport, before: RosterBefore): ImportSummary {
  const families = new Map(parsed.families.map((f) => [f.familyId, f]));
  const contacts = new Map(parsed.contacts.map((c) => [c.contactId, c]));
  const refs = new Map(parsed.refs.map((r) => [r.line, r]));
  const summary: ImportSummary = { created: 0, updated: 0, unchanged: 0, refused: 0 };
  // A family, child or contact new to the roster is said new on the first line that names it; the
  // later lines naming it are created too, without saying it again.
  const said = new Set<string>();
  const isNew = (key: string, what: string, created: string[]) => {
    if (!said.has(key)) created.push(what);
    said.add(key);
  };
  for (const line of parsed.lines) {
    const ref = refs.get(line.line);
    // A refused line is the one with status `invalid` and its reasons: no result of its own.
    if (line.status === 'invalid' || !ref) {
      summary.refused++;
      continue;
    }
    const created: string[] = [];
    const changed: string[] = [];
    let fresh = false;
    const news = (key: string, what: string) => {
      fresh = true;
      isNew(key, what, created);
    };
    const family = ref.familyId ? families.get(ref.familyId) : undefined;
    if (family) compareFamily(family, ref.childId, before, news, changed);
    const contact = ref.contactId ? contacts.get(ref.contactId) : undefined;
    if (contact) {
      const had = before.contacts.get(contact.contactId);
      if (!had) news(`contact\u0000${contact.contactId}`, `new contact ${contact.name}`);
      else {
        compare(changed, 'contact', had.name, contact.name);
        compare(changed, 'role', had.role, contact.role);
        compare(changed, 'language', had.language, contact.language);
        if (family && !(had.familyIds ?? []).includes(family.familyId))
          changed.push(`${contact.name} now linked to family ${family.name}`);
        if (had.optedOut) line.notice = optedOutNotice(had.name, had.optedOutAt);
      }
    }
    line.result = fresh ? 'created' : changed.length > 0 ? 'updated' : 'unchanged';
    const changes = [...created, ...changed];
    if (changes.length > 0) line.changes = changes;
    summary[line.result]++;
  }
  return summary;
}

function compareFamily(
  family: ImportFamily,
  childId: string | undefined,
  before: RosterBefore,
  news: (key: string, what: string) => void,
  changed: string[],
): void {
  const had = before.families.get(family.familyId);
  const child = family.children.find((c) => c.childId === childId);
  if (!had) {
    news(`family\u0000${family.familyId}`, `new family ${family.name}`);
    if (child) news(`child\u0000${child.childId}`, `new child ${child.name}`);
    return;
  }
  compare(changed, 'family', had.name, family.name);
  if (!child) return;
  const hadChild = had.children.find((c) => c.childId === child.childId);
  if (!hadChild) {
    news(`child\u0000${child.childId}`, `new child ${child.name}`);
    return;
  }
  compare(changed, 'birth_year', String(hadChild.birthYear), String(child.birthYear));
  compare(changed, 'category', hadChild.category, child.category);
  // A file that lists no consent keeps what was agreed since (lib/roster/roster-import.ts).
  if (CONSENT_ITEMS.some((item) => child.consent[item]))
    compare(changed, 'consent', consentText(hadChild.consent), consentText(child.consent));
}

/** `column role: "carer" → "parent"` when they differ. */
function compare(changed: string[], column: string, was: string, now: string): void {
  if (was !== now) changed.push(`column ${column}: "${was}" → "${now}"`);
}

/** `line 3: updated: column contact: "李奶奶" → "李奶奶（外婆）"`: how the CLI prints a line. */
export function describeLine(line: {
  line: number;
  result?: RowResult | undefined;
  reasons: readonly string[];
  changes?: readonly string[] | undefined;
  notice?: string | undefined;
}): string {
  // No result: the line was refused, for its reasons.
  const detail =
    line.result === undefined || line.result === 'refused'
      ? line.reasons
      : [...(line.changes ?? []), ...(line.notice ? [line.notice] : [])];
  return `line ${line.line}: ${line.result ?? 'refused'}${detail.length > 0 ? `: ${detail.join('; ')}` : ''}`;
}

/** `4 rows: 1 created, 1 updated, 1 unchanged, 1 refused`. */
export function describeSummary(summary: ImportSummary): string {
  const rows = summary.created + summary.updated + summary.unchanged + summary.refused;
  return `${rows} row${rows === 1 ? '' : 's'}: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.refused} refused`;
}
