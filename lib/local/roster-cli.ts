// `npm run roster -- import file.csv [--dry-run] [--accept-valid-rows] [--centre ID] [--url URL] [--token T]`
// Imports a roster CSV through the coordinators' API (POST /api/roster/import) of the running `npm start`,
// with a token for the demo coordinator signed by the local dev key; against a deployed stack, pass --url
// and --token (a coordinator's Cognito ID token, or LIANXIN_API_TOKEN). The whole file is checked first
// (a dry run: the per-line report); then the valid lines are sent in chunks, with a progress bar on stderr.
// Every line is reported as created / updated / unchanged / refused (with what changed, or why), then
// a summary line; a dry run reports what the import would do.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { issueLocalToken } from '#lib/api/auth.ts';
import { apiSettings } from '#lib/config/api.ts';
import { loadConfig } from '#lib/config/core.ts';
import { parseCsvRecords, type RowResult } from '#lib/roster/csv-import.ts';
import { describeLine, describeSummary, type ImportSummary } from '#lib/roster/import-report.ts';

const CHUNK_ROWS = 200;

interface Line {
  line: number;
  status: 'valid' | 'invalid';
  reasons: string[];
  result?: RowResult;
  changes?: string[];
  notice?: string;
}

interface Report {
  fileError?: string;
  lines: Line[];
  summary?: ImportSummary;
  valid: number;
  invalid: number;
  written: boolean;
  families: number;
  children: number;
  contacts: number;
  error?: string;
}

const usage =
  'usage: npm run roster -- import file.csv [--dry-run] [--accept-valid-rows] [--centre ID] [--url URL] [--token TOKEN]';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'dry-run': { type: 'boolean', default: false },
    'accept-valid-rows': { type: 'boolean', default: false },
    centre: { type: 'string', default: 'centre-shimen' },
    url: { type: 'string' },
    token: { type: 'string' },
  },
});
const [command, file] = positionals;
if (command !== 'import' || !file) {
  console.error(usage);
  process.exit(2);
}

const config = loadConfig({ ...process.env, LIANXIN_ENV: 'local' });
const base = (values.url ?? config.PUBLIC_URL).replace(/\/+$/, '');
const centre = values.centre ?? 'centre-shimen';
const token = values.token ?? process.env.LIANXIN_API_TOKEN ?? (await localToken(centre));
const csv = (await readRosterFile(file)).replace(/^\uFEFF/, '');

/** The file's text, or one clear line and exit 2 (no stack trace) when it cannot be read. */
async function readRosterFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'not allowed to read it'
          : code === 'EISDIR'
            ? 'it is a folder, not a file'
            : (error as Error).message;
    console.error(`cannot read ${path}: ${why}`);
    process.exit(2);
  }
}

const send = async (
  body: string,
  flags: Record<string, boolean>,
): Promise<{ status: number; report: Report }> => {
  const query = new URLSearchParams({
    centre,
    ...Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, String(v)])),
  });
  let response: Response;
  try {
    response = await fetch(`${base}/api/roster/import?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8' },
      body,
    });
  } catch {
    console.error(`Nothing answers at ${base}. Start lianxin first: npm start`);
    process.exit(1);
  }
  return { status: response.status, report: (await response.json()) as Report };
};

// 1. The whole file, as a dry run: the report.
const check = await send(csv, { dryRun: true });
if (check.status !== 200) {
  console.error(`the import was refused (${check.status}): ${check.report.error ?? 'see above'}`);
  process.exit(1);
}
const { report } = check;
if (report.fileError) {
  console.error(report.fileError);
  process.exit(1);
}
if (values['dry-run']) {
  // What the import would do, line by line.
  for (const l of report.lines) console.log(describeLine(l));
  console.log(`${describeSummary(summaryOf(report.lines))} (dry run: nothing written)`);
  process.exit(report.invalid === 0 ? 0 : 1);
}
if (report.invalid > 0 && !values['accept-valid-rows']) {
  for (const l of report.lines.filter((x) => x.status === 'invalid')) console.log(describeLine(l));
  console.error(
    `nothing written: ${report.invalid} of ${report.lines.length} lines refused; fix them, or pass --accept-valid-rows to import the valid ones`,
  );
  process.exit(1);
}

// 2. The valid lines, in chunks (each a small CSV with the header); ids are derived from the content, so
// a contact or family spread over chunks is merged, and a re-run is harmless.
const records = parseCsvRecords(csv);
const header = records.shift();
const validLines = new Set(report.lines.filter((l) => l.status === 'valid').map((l) => l.line));
const rows = records.filter((r) => validLines.has(r.line));
const quote = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);
const toCsv = (fields: string[]) => fields.map(quote).join(',');
// The refused lines as the whole-file check said; every written line as its chunk's write said (the
// chunk's lines come back in the order sent: the file's line numbers are put back by position).
const results = new Map<number, Line>(
  report.lines.filter((l) => l.status === 'invalid').map((l) => [l.line, l]),
);
let done = 0;
for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
  const chunk = rows.slice(i, i + CHUNK_ROWS);
  const body = [toCsv(header?.fields ?? []), ...chunk.map((r) => toCsv(r.fields))].join('\r\n');
  const { status, report: part } = await send(body, { dryRun: false, acceptValidRows: true });
  if (status !== 200) {
    process.stderr.write('\n');
    console.error(`chunk from line ${chunk[0]?.line} failed (${status}): ${part.error ?? ''}`);
    process.exit(1);
  }
  chunk.forEach((row, n) => {
    const written = part.lines[n];
    if (written) results.set(row.line, { ...written, line: row.line });
  });
  done += chunk.length;
  progress(done, rows.length);
}
process.stderr.write('\n');
const lines = [...results.values()].sort((a, b) => a.line - b.line);
for (const l of lines) console.log(describeLine(l));
console.log(describeSummary(summaryOf(lines)));

function summaryOf(all: Line[]): ImportSummary {
  const summary: ImportSummary = { created: 0, updated: 0, unchanged: 0, refused: 0 };
  for (const l of all) summary[l.result ?? 'refused']++;
  return summary;
}

function progress(n: number, total: number): void {
  const width = 30;
  const filled = total === 0 ? width : Math.round((n / total) * width);
  const percent = total === 0 ? 100 : Math.round((n / total) * 100);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${n}/${total} lines`,
  );
}

async function localToken(centreId: string): Promise<string> {
  const auth = apiSettings(config, process.env).auth;
  if (auth.mode !== 'local') {
    console.error('pass --token (or LIANXIN_API_TOKEN) for a deployed API');
    process.exit(2);
  }
  return issueLocalToken(auth.signingKey, { subject: 'roster-cli', centres: [centreId], expiresIn: '1h' });
}
