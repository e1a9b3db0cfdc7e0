// The roster CSV import against the store: the pure parse (lib/roster/csv-import.ts), then the numbers
// already owned by another contact, then (unless a dry run) the writes. Nothing is written unless every
// line is valid, or the caller accepts the valid lines (`acceptValidRows`).
import { type LineReport, type ParsedImport, parseRosterCsv } from '#lib/roster/csv-import.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export interface ImportOptions {
  dryRun: boolean;
  acceptValidRows: boolean;
  /** Called after each family or contact written. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportReport {
  fileError?: string;
  lines: LineReport[];
  valid: number;
  invalid: number;
  /** Whether anything was written. */
  written: boolean;
  families: number;
  children: number;
  contacts: number;
}

export async function importRosterCsv(
  roster: RosterRepository,
  centreId: string,
  csv: string,
  options: ImportOptions,
): Promise<ImportReport> {
  const parsed = parseRosterCsv(csv, centreId);
  await markOwnedNumbers(roster, parsed);
  const invalid = parsed.lines.filter((l) => l.status === 'invalid').length;
  const report: ImportReport = {
    ...(parsed.fileError ? { fileError: parsed.fileError } : {}),
    lines: parsed.lines,
    valid: parsed.lines.length - invalid,
    invalid,
    written: false,
    families: parsed.families.length,
    children: parsed.families.reduce((n, f) => n + f.children.length, 0),
    contacts: parsed.contacts.length,
  };
  const writable = !parsed.fileError && (invalid === 0 || options.acceptValidRows);
  if (options.dryRun || !writable || report.valid === 0) return report;

  const total = parsed.families.length + parsed.contacts.length;
  let done = 0;
  for (const f of parsed.families) {
    // Children already there (a second import, or added in the API) are kept.
    const existing = await roster.getFamily(f.familyId);
    const children = [
      ...(existing?.children.filter((c) => !f.children.some((n) => n.childId === c.childId)) ?? []),
      ...f.children.map(({ familyId: _, ...c }) => c),
    ];
    await roster.putFamily({ familyId: f.familyId, centreId, name: f.name, children });
    options.onProgress?.(++done, total);
  }
  for (const c of parsed.contacts) {
    const existing = await roster.getContact(c.contactId);
    await roster.putContact({
      ...(existing ?? {}),
      contactId: c.contactId,
      centreId,
      name: c.name,
      role: c.role,
      language: c.language,
      addresses: existing?.addresses ?? [{ channel: 'sms', address: c.phone }],
      familyIds: [...new Set([...(existing?.familyIds ?? []), ...c.familyIds])],
    });
    options.onProgress?.(++done, total);
  }
  report.written = true;
  return report;
}

/** A number that already belongs to another contact is a conflict: its lines become invalid. */
async function markOwnedNumbers(roster: RosterRepository, parsed: ParsedImport): Promise<void> {
  const owners = await Promise.all(
    parsed.contacts.map(async (c) => ({ c, owner: await roster.findContactIdByAddress('sms', c.phone) })),
  );
  const conflicting = owners.filter(({ c, owner }) => owner !== undefined && owner !== c.contactId);
  if (conflicting.length === 0) return;
  const bad = new Set(conflicting.flatMap(({ c }) => c.lines));
  for (const line of parsed.lines) {
    if (!bad.has(line.line)) continue;
    line.status = 'invalid';
    line.reasons.push('phone: already belongs to another contact');
  }
  const badIds = new Set(conflicting.map(({ c }) => c.contactId));
  parsed.contacts = parsed.contacts.filter((c) => !badIds.has(c.contactId));
}
