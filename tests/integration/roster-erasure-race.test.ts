// Two erasures taking children out of one shared task at once: neither may put the other's child back.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#lib/store/keys.ts';
import { RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const CENTRE = 'centre-race';
let table: TestTable;
let roster: RosterRepository;

beforeAll(async () => {
  table = await createTestTable();
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await roster.putCentre({ centreId: CENTRE, name: '竞村儿童之家', village: '竞村', phone: '0731-0000' });
});

describe('taking children out of a shared task', () => {
  it('re-reads and recomputes when another erasure changed the task first', async () => {
    const task = keys.centreTask(CENTRE, 'task-shared');
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...task,
          entity: 'task',
          centreId: CENTRE,
          status: 'open',
          childIds: ['x', 'y', 'z'],
          childNames: ['小X', '小Y', '小Z'],
        },
      }),
    );
    // Just before this erasure writes the task, the other one (taking out y) lands.
    let interfered = false;
    const client = {
      send: async (command: unknown) => {
        if (!interfered && command instanceof UpdateCommand && command.input.Key?.sk === task.sk) {
          interfered = true;
          await table.client.send(
            new UpdateCommand({
              TableName: table.tableName,
              Key: task,
              UpdateExpression: 'SET childIds = :ids, childNames = :names',
              ExpressionAttributeValues: { ':ids': ['x', 'z'], ':names': ['小X', '小Z'] },
            }),
          );
        }
        return table.client.send(command as never);
      },
    } as unknown as typeof table.client;
    const erasure = new RosterErasure({ client, tableName: table.tableName, roster });

    await erasure.eraseChildren(CENTRE, ['x'], 'coord', new Date('2026-12-05T02:00:00Z'));

    expect(interfered).toBe(true);
    const after = (await table.client.send(new GetCommand({ TableName: table.tableName, Key: task }))).Item;
    expect(after).toMatchObject({ status: 'open', childIds: ['z'], childNames: ['小Z'] });
  });
});
