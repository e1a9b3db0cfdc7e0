// The roster CLI says in one line what is wrong with the file it was given, with no stack trace; and
// against a running `npm start` it reports every line as created / updated / unchanged / refused, then
// a summary: the same file twice is all unchanged the second time.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bannerToken,
  type LocalServerProcess,
  phone,
  startLocalServerProcess,
  stopLocalServerProcess,
} from '#tests/support/local-server-process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function roster(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'lib/local/roster-cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, LIANXIN_ENV: 'local', PORT: '3999' },
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim() };
}

describe('npm run roster with a file it cannot read', () => {
  it.each([
    ['a missing file', (dir: string) => join(dir, 'nope.csv'), 'no such file'],
    ['a folder', (dir: string) => dir, 'it is a folder, not a file'],
  ])('%s: one line, exit 2', async (_, path, why) => {
    const dir = await mkdtemp(join(tmpdir(), 'lianxin-roster-'));
    try {
      const target = path(dir);
      const result = roster('import', target, '--dry-run');
      expect(result.status).toBe(2);
      expect(
        result.stderr.split('\n').filter((l) => !l.includes('NodeVersionSupportWarning') && l !== ''),
      ).toContain(`cannot read ${target}: ${why}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** The CLI as a child process (the server it talks to runs in this process's event loop's reach). */
function rosterAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/roster-cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, LIANXIN_ENV: 'local' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

describe('npm run roster against the local server: a report per line', () => {
  const CENTRE = 'centre-shimen';
  const HEADER = 'family,child,birth_year,category,consent,contact,role,phone,language';
  const GRANNY = '+8613812349901';
  const CSV = [
    HEADER,
    `秦家,秦小文,2016,both-away,mood,秦奶奶,carer,${GRANNY},zh-CN`,
    `秦家,秦小武,2018,both-away,mood,秦奶奶,carer,${GRANNY},zh-CN`,
    '秦家,秦小文,2016,both-away,mood,秦爸爸,parent,+8613812349902,zh-CN',
  ].join('\n');
  const endpoint = inject('dynamodbEndpoint');
  let server: LocalServerProcess;
  let dir: string;
  let token: string;

  beforeAll(async () => {
    server = await startLocalServerProcess({ tableName: `e2e-${randomUUID()}`, dynamodbEndpoint: endpoint });
    token = bannerToken(server.banner, CENTRE);
    dir = await mkdtemp(join(tmpdir(), 'lianxin-roster-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (server) expect(await stopLocalServerProcess(server)).toEqual({ code: 0, signal: null });
  });

  const importFile = async (name: string, csv: string, ...flags: string[]) => {
    const file = join(dir, name);
    await writeFile(file, csv);
    const url = `http://localhost:${server.port}`;
    return rosterAsync('import', file, '--centre', CENTRE, '--url', url, '--token', token, ...flags);
  };

  it('created, then all unchanged; an edit, a conflict and a STOP each said on their line', async () => {
    const dry = await importFile('dry.csv', CSV, '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout.split('\n')).toEqual([
      'line 2: created: new family 秦家; new child 秦小文; new contact 秦奶奶',
      'line 3: created: new child 秦小武',
      'line 4: created: new contact 秦爸爸',
      '3 rows: 3 created, 0 updated, 0 unchanged, 0 refused (dry run: nothing written)',
    ]);

    const first = await importFile('first.csv', CSV);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.split('\n')).toEqual([
      'line 2: created: new family 秦家; new child 秦小文; new contact 秦奶奶',
      'line 3: created: new child 秦小武',
      'line 4: created: new contact 秦爸爸',
      '3 rows: 3 created, 0 updated, 0 unchanged, 0 refused',
    ]);

    const again = await importFile('again.csv', CSV);
    expect(again.status).toBe(0);
    expect(again.stdout.split('\n')).toEqual([
      'line 2: unchanged',
      'line 3: unchanged',
      'line 4: unchanged',
      '3 rows: 0 created, 0 updated, 3 unchanged, 0 refused',
    ]);

    // The grandmother says stop; the coordinator edits the file: a new birth year, a clash on one line.
    await phone(server.port, GRANNY)('TD');
    const edited = [
      ...CSV.replace('秦家,秦小武,2018', '秦家,秦小武,2019').split('\n'),
      '秦家,秦小双,2019,both-away,mood,秦外婆,carer,+8613812349901,zh-CN',
    ].join('\n');
    const refused = await importFile('edited.csv', edited);
    expect(refused.status).toBe(1);
    expect(refused.stdout.split('\n')).toEqual([
      'line 5: refused: phone: the same number as line 2 (one number is one contact), but column contact is "秦外婆" here and "秦奶奶" on line 2',
    ]);
    expect(refused.stderr).toContain('nothing written: 1 of 4 lines refused');

    const accepted = await importFile('edited.csv', edited, '--accept-valid-rows');
    expect(accepted.status, accepted.stderr).toBe(0);
    const lines = accepted.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^line 2: unchanged: 秦奶奶 said stop \(.+\) and stays opted out: only they can resume \(START\/恢复\)$/,
    );
    expect(lines[1]).toMatch(
      /^line 3: updated: column birth_year: "2018" → "2019"; 秦奶奶 said stop .+ stays opted out/,
    );
    expect(lines.slice(2)).toEqual([
      'line 4: unchanged',
      'line 5: refused: phone: the same number as line 2 (one number is one contact), but column contact is "秦外婆" here and "秦奶奶" on line 2',
      '4 rows: 0 created, 1 updated, 2 unchanged, 1 refused',
    ]);
    // Five CLI runs, each a fresh node process: a bound, not a measure.
  }, 300_000);
});
