// The roster CSV import against the store: the pure parse (lib/roster/csv-import.ts), then the numbers
// already owned by another contact, then (unless a dry run) the writes. Nothing is written unless every
// line is valid, or the caller accepts the valid lines (`acceptValidRows`).
import type { LineReport, ParsedImport } from '#lib/roster/csv-import.ts';
import {
  type ImportSummary,
  optedOutNotice,
  type RosterBefore,
  reportLines,
} from '#lib/roster/import-report.ts';
import { retryOnVersionConflict } from '#lib/store/conditional-write.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export interface ImportOptions {
  dryRun: boolean;
  acceptValidRows: boolean;
  /** Called after each family or contact written. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportReport {
  fileError?: string;
  /** Per line: created / updated / unchanged / refused (what a dry run would do), why, what changed. */
  lines: LineReport[];
  summary: ImportSummary;
  valid: number;
  invalid: number;
  /** Whether anything was written. */
  written: boolean;
  families: number;
  children: number;
  contacts: number;
  /**
   * Written, but not everything the file says: a contact who said stop stays opted out (only they can
   * resume, by START/恢复). One notice per contact, on its first line.
   */
  notices: { line: number; notice: string }[];
}

export async function importRosterCsv(
  roster: RosterRepository,
  centreId: string,
  csv: string,
  options: ImportOptions,
): Promise<ImportReport> {
  // Loaded on the first import, not at cold start: its phone metadata is most of the API's bundle init.
  const { parseRosterCsv } = await import('#lib/roster/csv-import.ts');
  const parsed = parseRosterCsv(csv, centreId);
  await markOwnedNumbers(roster, centreId, parsed);
  await markErased(roster, parsed);
  const summary = reportLines(parsed, await rosterBefore(roster, parsed));
  const invalid = parsed.lines.filter((l) => l.status === 'invalid').length;
  const report: ImportReport = {
    ...(parsed.fileError ? { fileError: parsed.fileError } : {}),
    lines: parsed.lines,
    summary,
    valid: parsed.lines.length - invalid,
    invalid,
    written: false,
    families: parsed.families.length,
    children: parsed.families.reduce((n, f) => n + f.children.length, 0),
    contacts: parsed.contacts.length,
    notices: [],
  };
  const writable = !parsed.fileError && (invalid === 0 || options.acceptValidRows);
  if (options.dryRun || !writable || report.valid === 0) return report;

  const total = parsed.families.length + parsed.contacts.length;
  let done = 0;
  // Each write is conditional on the version just read; if someone else wrote meanwhile (a coordinator,
  // a STOP), it is done again from a fresh read, so neither the import nor they undo the other.
  for (const f of parsed.families) {
    await retryOnVersionConflict(async () => {
      // Children already there (a second import, or added in the API) are kept, and so is the consent
      // agreed since for a child the file lists with none.
      const existing = await roster.getFamily(f.familyId);
      const children = [
        ...(existing?.children.filter((c) => !f.children.some((n) => n.childId === c.childId)) ?? []),
        ...f.children.map(({ familyId: _, ...c }) => {
          const agreed = existing?.children.find((e) => e.childId === c.childId)?.consent;
          return agreed && !Object.values(c.consent).some(Boolean) ? { ...c, consent: agreed } : c;
        }),
      ];
      await roster.putFamily({
        familyId: f.familyId,
        centreId,
        name: f.name,
        children,
        ...(existing ? { version: existing.version ?? 0 } : {}),
      });
    });
    options.onProgress?.(++done, total);
  }
  for (const c of parsed.contacts) {
    const written = await retryOnVersionConflict(async () => {
      const existing = await roster.getContact(c.contactId);
      return roster.putContact({
        ...(existing ?? {}),
        contactId: c.contactId,
        centreId,
        name: c.name,
        role: c.role,
        language: c.language,
        addresses: existing?.addresses ?? [{ channel: 'sms', address: c.phone }],
        familyIds: [...new Set([...(existing?.familyIds ?? []), ...c.familyIds])],
      });
    });
    if (written.optedOut) {
      const notice = optedOutNotice(c.name, written.optedOutAt);
      report.notices.push({ line: Math.min(...c.lines), notice });
      // A STOP that arrived after the lines were compared: their lines say so too.
      for (const line of report.lines) if (c.lines.includes(line.line)) line.notice = notice;
    }
    options.onProgress?.(++done, total);
  }
  report.written = true;
  return report;
}

/** The families and contacts the file names, as the roster holds them now. */
async function rosterBefore(roster: RosterRepository, parsed: ParsedImport): Promise<RosterBefore> {
  const [families, contacts] = await Promise.all([
    Promise.all(parsed.families.map((f) => roster.getFamily(f.familyId))),
    Promise.all(parsed.contacts.map((c) => roster.getContact(c.contactId))),
  ]);
  return {
    families: new Map(families.flatMap((f) => (f ? [[f.familyId, f] as const] : []))),
    contacts: new Map(contacts.flatMap((c) => (c ? [[c.contactId, c] as const] : []))),
  };
}

/** A family or contact erased on request cannot come back with the same id (the same name or number). */
async function markErased(roster: RosterRepository, parsed: ParsedImport): Promise<void> {
  const [families, contacts] = await Promise.all([
    Promise.all(parsed.families.map(async (f) => ((await roster.isErased('family', f.familyId)) ? f : []))),
    Promise.all(parsed.contacts.map(async (c) => ((await roster.isErased('contact', c.contactId)) ? c : []))),
  ]);
  const erasedFamilies = new Set(families.flat().map((f) => f.familyId));
  const erasedContacts = contacts.flat();
  if (erasedFamilies.size === 0 && erasedContacts.length === 0) return;
  const reasons = new Map<number, string[]>();
  const add = (lines: number[], reason: string) => {
    for (const line of lines) reasons.set(line, [...(reasons.get(line) ?? []), reason]);
  };
  for (const c of parsed.contacts) {
    if (c.familyIds.some((f) => erasedFamilies.has(f))) {
      add(c.lines, 'family: erased on request, cannot be recreated');
    }
  }
  for (const c of erasedContacts) add(c.lines, 'contact: erased on request, cannot be recreated');
  for (const line of parsed.lines) {
    const why = reasons.get(line.line);
    if (!why) continue;
    line.status = 'invalid';
    line.reasons.push(...why);
  }
  parsed.families = parsed.families.filter((f) => !erasedFamilies.has(f.familyId));
  const gone = new Set(erasedContacts.map((c) => c.contactId));
  parsed.contacts = parsed.contacts.filter(
    (c) => !gone.has(c.contactId) && !c.familyIds.some((f) => erasedFamilies.has(f)),
  );
}

/**
 * A number that already belongs to another contact is a conflict: its lines become invalid, naming the
 * column, the number and the two contacts (the other one by name only when it is of this centre).
 */
async function markOwnedNumbers(
  roster: RosterRepository,
  centreId: string,
  parsed: ParsedImport,
): Promise<void> {
  const owners = await Promise.all(
    parsed.contacts.map(async (c) => ({ c, owner: await roster.findContactIdByAddress('sms', c.phone) })),
  );
  const conflicting = owners.filter(({ c, owner }) => owner !== undefined && owner !== c.contactId);
  if (conflicting.length === 0) return;
  const reasons = new Map<number, string>();
  for (const { c, owner } of conflicting) {
    const other = owner ? await roster.getContact(owner) : undefined;
    const owned = other && other.centreId === centreId ? `"${other.name}" in the roster` : 'another contact';
    for (const line of c.lines) {
      reasons.set(line, `phone: ${c.phone} already belongs to ${owned}, this line says "${c.name}"`);
    }
  }
  for (const line of parsed.lines) {
    const reason = reasons.get(line.line);
    if (!reason) continue;
    line.status = 'invalid';
    line.reasons.push(reason);
  }
  const badIds = new Set(conflicting.map(({ c }) => c.contactId));
  parsed.contacts = parsed.contacts.filter((c) => !badIds.has(c.contactId));
}
