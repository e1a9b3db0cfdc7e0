import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '#lib/local/dynamodb-local.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { ensureTable } from '#lib/store/ensure-table.ts';
import { JAVA_READY_TIMEOUT_MS } from '#tests/support/java-start.ts';
import { isProcessAlive, waitFor } from '#tests/support/processes.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts DynamoDB Local in a separate Node process and returns both pids. */
async function startInChildProcess() {
  const node = spawn(process.execPath, ['--import', 'tsx', 'tests/support/dynamodb-local-child.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: node.stdout }).once('line', resolve);
    node.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  const { pid } = JSON.parse(line) as { pid: number };
  return { node, javaPid: pid };
}

// Each test starts Java (one of them twice): each may take up to that bound per start.
describe('DynamoDB Local launcher', { timeout: 3 * JAVA_READY_TIMEOUT_MS }, () => {
  it('starts on a free port, answers, and stop() leaves no Java process', async () => {
    const dynamo = await startDynamoDbLocal({ readyTimeoutMs: JAVA_READY_TIMEOUT_MS });
    expect(isProcessAlive(dynamo.pid)).toBe(true);
    const client = createDocumentClient({ region: 'eu-west-1', endpoint: dynamo.endpoint });
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    client.destroy();

    await dynamo.stop();
    expect(isProcessAlive(dynamo.pid)).toBe(false);
    await dynamo.stop(); // idempotent
  });

  it('keeps a database on disk when given a (relative) data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lianxin-ddb-'));
    try {
      const dynamo = await startDynamoDbLocal({
        dataDir: relative(process.cwd(), dir),
        readyTimeoutMs: JAVA_READY_TIMEOUT_MS,
      });
      const client = createDocumentClient({ region: 'local', endpoint: dynamo.endpoint });
      await ensureTable(client, 'persisted');
      client.destroy();
      await dynamo.stop();
      expect(await readdir(dir)).toContain('shared-local-instance.db');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('Java dies with its Node parent on SIGTERM', async () => {
    const { node, javaPid } = await startInChildProcess();
    expect(isProcessAlive(javaPid)).toBe(true);
    node.kill('SIGTERM');
    expect(await waitFor(() => !isProcessAlive(javaPid), 10_000)).toBe(true);
  });

  it('Java dies even when its Node parent is killed outright (SIGKILL)', async () => {
    const { node, javaPid } = await startInChildProcess();
    expect(isProcessAlive(javaPid)).toBe(true);
    node.kill('SIGKILL');
    expect(await waitFor(() => !isProcessAlive(javaPid), 15_000)).toBe(true);
  });
});
