// The roster CLI says in one line what is wrong with the file it was given, with no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
