import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { World } from '../../../sim/world/world.ts';
import { rejection, worldOf } from './helpers.ts';

const TABLE = 'cf403-state';
const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

function setup(): { world: World; ddb: DynamoDBClient } {
  const world = worldOf('healthy');
  return { world, ddb: world.attach(new DynamoDBClient(config)) };
}

const ITEM = {
  pk: { S: 'T' },
  sk: { S: 'T' },
  n: { N: '10' },
  s: { S: 'banana' },
  flag: { BOOL: true },
  tags: { SS: ['red', 'blue'] },
  arr: { L: [{ S: 'x' }, { N: '2' }] },
  nested: { M: { core: { S: 'deep' } } },
} satisfies Record<string, AttributeValue>;

/** Whether a ConditionExpression holds for ITEM: a conditional PutItem of ITEM over itself. */
async function holds(
  expression: string,
  values?: Record<string, AttributeValue>,
  names?: Record<string, string>,
): Promise<boolean> {
  const { ddb } = setup();
  await ddb.send(new PutItemCommand({ TableName: TABLE, Item: ITEM }));
  try {
    await ddb.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: ITEM,
        ConditionExpression: expression,
        ExpressionAttributeValues: values,
        ExpressionAttributeNames: names,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The ValidationException a malformed expression gets. */
async function invalid(
  expression: string,
  values?: Record<string, AttributeValue>,
  names?: Record<string, string>,
): Promise<Error> {
  const { ddb } = setup();
  const error = await rejection(
    ddb.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: ITEM,
        ConditionExpression: expression,
        ExpressionAttributeValues: values,
        ExpressionAttributeNames: names,
      }),
    ),
  );
  expect(error).toBeInstanceOf(DynamoDBServiceException);
  expect(error.name).toBe('ValidationException');
  expect(error.$metadata?.httpStatusCode).toBe(400);
  return error;
}

describe('condition expressions', () => {
  it('compares numbers numerically and strings lexically, with each operator', async () => {
    const nine = { ':v': { N: '9' } };
    expect(await holds('n > :v', nine)).toBe(true); // '10' > '9' only as numbers
    expect(await holds('n >= :v', nine)).toBe(true);
    expect(await holds('n < :v', nine)).toBe(false);
    expect(await holds('n <= :v', nine)).toBe(false);
    expect(await holds('n = :v', { ':v': { N: '10.0' } })).toBe(true);
    expect(await holds('n <> :v', { ':v': { N: '10.0' } })).toBe(false);
    expect(await holds('n <= :v', { ':v': { N: '10' } })).toBe(true);
    expect(await holds('s < :v', { ':v': { S: 'cherry' } })).toBe(true);
    expect(await holds('s > :v', { ':v': { S: 'Banana' } })).toBe(true); // 'b' (0x62) sorts after 'B' (0x42)
    expect(await holds('s = :v', { ':v': { S: 'banana' } })).toBe(true);
    expect(await holds('s <> :v', { ':v': { S: 'banana' } })).toBe(false);
    // a number never equals a string, and does not order against one
    expect(await holds('n = :v', { ':v': { S: '10' } })).toBe(false);
    expect(await holds('n < :v', { ':v': { S: '99' } })).toBe(false);
  });

  it('evaluates the functions, BETWEEN and IN', async () => {
    expect(await holds('attribute_exists(s)')).toBe(true);
    expect(await holds('attribute_exists(nope)')).toBe(false);
    expect(await holds('attribute_not_exists(nope)')).toBe(true);
    expect(await holds('attribute_not_exists(pk)')).toBe(false);
    expect(await holds('attribute_exists(nested.core) AND attribute_exists(arr[1])')).toBe(true);
    expect(await holds('attribute_exists(arr[2])')).toBe(false);
    expect(await holds('begins_with(s, :p)', { ':p': { S: 'ban' } })).toBe(true);
    expect(await holds('begins_with(s, :p)', { ':p': { S: 'an' } })).toBe(false);
    expect(await holds('begins_with(n, :p)', { ':p': { S: '1' } })).toBe(false); // N is not a string
    expect(
      await holds('contains(s, :p) AND contains(tags, :t)', { ':p': { S: 'nan' }, ':t': { S: 'red' } }),
    ).toBe(true);
    expect(await holds('contains(tags, :t)', { ':t': { S: 'green' } })).toBe(false);
    expect(await holds('attribute_type(flag, :t)', { ':t': { S: 'BOOL' } })).toBe(true);
    expect(await holds('size(s) = :six AND size(tags) < :six', { ':six': { N: '6' } })).toBe(true);
    expect(await holds('n BETWEEN :a AND :b', { ':a': { N: '9' }, ':b': { N: '10' } })).toBe(true);
    expect(await holds('n BETWEEN :a AND :b', { ':a': { N: '11' }, ':b': { N: '12' } })).toBe(false);
    expect(await holds('s IN (:a, :b)', { ':a': { S: 'apple' }, ':b': { S: 'banana' } })).toBe(true);
    expect(await holds('s IN (:a)', { ':a': { S: 'apple' } })).toBe(false);
    expect(await holds('nested.core = :d', { ':d': { S: 'deep' } })).toBe(true);
  });

  it('treats a missing attribute as failing every comparison except <>', async () => {
    const v = { ':v': { N: '1' } };
    for (const op of ['=', '<', '<=', '>', '>=']) expect(await holds(`absent ${op} :v`, v)).toBe(false);
    expect(await holds('absent <> :v', v)).toBe(true);
    expect(await holds('NOT absent < :v', v)).toBe(true);
    expect(await holds('begins_with(absent, :p)', { ':p': { S: '' } })).toBe(false);
    expect(await holds('absent BETWEEN :v AND :v', v)).toBe(false);
  });

  it('binds NOT tighter than AND, and AND tighter than OR; parentheses override', async () => {
    const v = { ':yes': { S: 'banana' }, ':no': { S: 'kiwi' } };
    const yes = { ':yes': { S: 'banana' } };
    // true OR (false AND false) = true; (true OR false) AND false = false
    expect(await holds('s = :yes OR s = :no AND s = :no', v)).toBe(true);
    expect(await holds('(s = :yes OR s = :no) AND s = :no', v)).toBe(false);
    // (false AND false) OR true
    expect(await holds('s = :no AND s = :no OR s = :yes', v)).toBe(true);
    // (NOT true) AND true = false; NOT (false AND true) = true
    expect(await holds('NOT s = :yes AND s = :yes', yes)).toBe(false);
    expect(await holds('NOT (s = :no AND s = :yes)', v)).toBe(true);
    expect(await holds('NOT NOT s = :yes', yes)).toBe(true);
    // keywords are case-insensitive
    expect(await holds('s = :no or not s = :no and ((s = :yes))', v)).toBe(true);
  });

  it('resolves #names and :values, and refuses reserved words used bare', async () => {
    expect(
      await holds(
        '#s = :v AND #n.#i = :d',
        { ':v': { S: 'banana' }, ':d': { S: 'deep' } },
        {
          '#s': 's',
          '#n': 'nested',
          '#i': 'core',
        },
      ),
    ).toBe(true);
    expect((await invalid('status = :v', { ':v': { S: 'x' } })).message).toContain(
      'reserved keyword: status',
    );
    expect(await holds('attribute_not_exists(#t)', undefined, { '#t': 'ttl' })).toBe(true);
  });

  it('answers a malformed expression with a ValidationException naming the problem', async () => {
    expect((await invalid('s = :v')).message).toContain('attribute value: :v');
    expect((await invalid('#x = :v', { ':v': { S: 'a' } })).message).toContain('attribute name: #x');
    expect((await invalid('s = :v', { ':v': { S: 'a' }, ':w': { S: 'b' } })).message).toContain(
      'unused in expressions: keys: {:w}',
    );
    expect((await invalid('s = = :v', { ':v': { S: 'a' } })).message).toMatch(/Syntax error; token: "="/);
    expect((await invalid('(s = :v', { ':v': { S: 'a' } })).message).toContain('<EOF>');
    expect((await invalid('s = :v )', { ':v': { S: 'a' } })).message).toContain('token: ")"');
    expect((await invalid('s')).message).toContain('Syntax error');
    expect((await invalid('exists(s)')).message).toContain('Invalid function name; function: exists');
    expect((await invalid('s < :b', { ':b': { BOOL: true } })).message).toContain('operand type: BOOL');
    expect((await invalid('n BETWEEN :a AND :b', { ':a': { N: '2' }, ':b': { N: '1' } })).message).toContain(
      'BETWEEN',
    );
    expect((await invalid('')).message).toContain('can not be empty');
  });
});

describe('items', () => {
  it('puts, gets and deletes raw items, keyed by pk and sk', async () => {
    const { world, ddb } = setup();
    const Key = { pk: { S: 'A' }, sk: { S: '1' } };
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { ...Key, v: { N: '1' } } }));
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'A' }, sk: { S: '2' } } }));
    const got = await ddb.send(new GetItemCommand({ TableName: TABLE, Key, ConsistentRead: true }));
    expect(got.Item).toEqual({ ...Key, v: { N: '1' } });
    const projected = await ddb.send(
      new GetItemCommand({
        TableName: TABLE,
        Key,
        ProjectionExpression: '#v',
        ExpressionAttributeNames: { '#v': 'v' },
      }),
    );
    expect(projected.Item).toEqual({ v: { N: '1' } });
    const old = await ddb.send(new PutItemCommand({ TableName: TABLE, Item: Key, ReturnValues: 'ALL_OLD' }));
    expect(old.Attributes).toEqual({ ...Key, v: { N: '1' } });
    expect(world.tableItems(TABLE).map((i) => i.sk?.S)).toEqual(['1', '2']);
    await ddb.send(new DeleteItemCommand({ TableName: TABLE, Key }));
    expect((await ddb.send(new GetItemCommand({ TableName: TABLE, Key }))).Item).toBeUndefined();
    expect(world.tableItems(TABLE)).toHaveLength(1);
    // the table is the workflow's own: never part of the scenario
    expect(JSON.stringify(world.toScenario())).not.toContain(TABLE);
    expect(world.tableItems('never-used')).toEqual([]);
  });

  it('refuses keys that do not match the schema', async () => {
    const { ddb } = setup();
    const absent = await rejection(
      ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'A' } } })),
    );
    expect(absent.name).toBe('ValidationException');
    expect(absent.message).toContain('Missing the key sk');
    const wrongType = await rejection(
      ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { N: '1' }, sk: { S: 'x' } } })),
    );
    expect(wrongType.message).toContain('Type mismatch for key pk');
    const extra = await rejection(
      ddb.send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'A' }, sk: { S: '1' }, x: { S: 'y' } } }),
      ),
    );
    expect(extra.message).toContain('does not match the schema');
    const badNumber = await rejection(
      ddb.send(
        new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'A' }, sk: { S: '1' }, n: { N: 'ten' } } }),
      ),
    );
    expect(badNumber.message).toContain('numeric');
  });

  it('updates with SET and REMOVE, creating a absent item from its key', async () => {
    const { ddb } = setup();
    const Key = { pk: { S: 'U' }, sk: { S: 'U' } };
    const created = await ddb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key,
        UpdateExpression: 'SET a = :a, #c = if_not_exists(#c, :zero) + :one',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':a': { S: 'x' }, ':zero': { N: '0' }, ':one': { N: '1' } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(created.Attributes).toEqual({ ...Key, a: { S: 'x' }, count: { N: '1' } });
    const updated = await ddb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key,
        UpdateExpression: 'REMOVE a SET #c = #c + :one',
        ConditionExpression: 'attribute_exists(a)',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({ count: { N: '2' } });
    const failed = await rejection(
      ddb.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key,
          UpdateExpression: 'SET b = :b',
          ConditionExpression: 'attribute_exists(a)',
          ExpressionAttributeValues: { ':b': { S: 'y' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    expect(failed).toBeInstanceOf(ConditionalCheckFailedException);
    expect((failed as ConditionalCheckFailedException).Item).toEqual({ ...Key, count: { N: '2' } });
    const keyChange = await rejection(
      ddb.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key,
          UpdateExpression: 'SET sk = :s',
          ExpressionAttributeValues: { ':s': { S: 'V' } },
        }),
      ),
    );
    expect(keyChange.message).toContain('Cannot update attribute sk');
    const overlap = await rejection(
      ddb.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key,
          UpdateExpression: 'SET a = :s REMOVE a',
          ExpressionAttributeValues: { ':s': { S: 'V' } },
        }),
      ),
    );
    expect(overlap.message).toContain('Two document paths overlap');
  });
});

describe('the lock of the contract', () => {
  const DIST = 'E2QWRUHEXAMPLE';
  const Key = marshall({ pk: `LOCK#${DIST}`, sk: 'LOCK' });

  async function acquire(ddb: DynamoDBClient, world: World, me: string, seconds = 600): Promise<void> {
    const now = Math.floor(world.now() / 1000);
    await ddb.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({
          pk: `LOCK#${DIST}`,
          sk: 'LOCK',
          holder: me,
          acquiredAt: new Date(world.now()).toISOString(),
          expiresAt: now + seconds,
          ttl: now + seconds,
        }),
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :me',
        ExpressionAttributeValues: marshall({ ':now': now, ':me': me }),
      }),
    );
  }

  function release(ddb: DynamoDBClient, me: string) {
    return ddb.send(
      new DeleteItemCommand({
        TableName: TABLE,
        Key,
        ConditionExpression: 'holder = :me',
        ExpressionAttributeValues: marshall({ ':me': me }),
      }),
    );
  }

  async function holder(ddb: DynamoDBClient): Promise<unknown> {
    const { Item } = await ddb.send(new GetItemCommand({ TableName: TABLE, Key, ConsistentRead: true }));
    return Item ? unmarshall(Item).holder : undefined;
  }

  it('is held by one execution, taken over once expired, and released only by its holder', async () => {
    const { world, ddb } = setup();
    await acquire(ddb, world, 'exec-1');
    expect(await holder(ddb)).toBe('exec-1');
    expect(await rejection(acquire(ddb, world, 'exec-2'))).toBeInstanceOf(ConditionalCheckFailedException);
    await acquire(ddb, world, 'exec-1'); // re-entrant for the holder
    expect(await rejection(release(ddb, 'exec-2'))).toBeInstanceOf(ConditionalCheckFailedException);
    expect(await holder(ddb)).toBe('exec-1');

    world.advance(601);
    await acquire(ddb, world, 'exec-2');
    expect(await holder(ddb)).toBe('exec-2');
    expect(await rejection(release(ddb, 'exec-1'))).toBeInstanceOf(ConditionalCheckFailedException);
    await release(ddb, 'exec-2');
    expect(await holder(ddb)).toBeUndefined();
    await acquire(ddb, world, 'exec-3');
    expect(await holder(ddb)).toBe('exec-3');
  });

  it('lets exactly one of 50 concurrent acquires through', async () => {
    const { world, ddb } = setup();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => acquire(ddb, world, `exec-${i}`)),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [`exec-${i}`] : []));
    expect(won).toHaveLength(1);
    const lost = results.filter((r) => r.status === 'rejected');
    expect(lost.every((r) => r.reason instanceof ConditionalCheckFailedException)).toBe(true);
    expect(await holder(ddb)).toBe(won[0]);
  });
});

describe('Query', () => {
  async function auditWorld(): Promise<DynamoDBClient> {
    const { ddb } = setup();
    const sks = [
      '2026-11-28T03:00:00Z#c',
      '2026-11-28T01:00:00Z#a',
      '2026-11-29T00:00:00Z#d',
      '2026-11-28T02:00:00Z#b',
    ];
    for (const sk of sks) {
      await ddb.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: marshall({ pk: 'AUDIT#E1', sk, outcome: sk.slice(-1) }),
        }),
      );
    }
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: marshall({ pk: 'AUDIT#E2', sk: 'x' }) }));
    return ddb;
  }

  const outcomes = (items: Record<string, AttributeValue>[] | undefined) =>
    (items ?? []).map((i) => i.outcome?.S);

  it('returns the partition sorted by sk, either way, limited', async () => {
    const ddb = await auditWorld();
    const values = marshall({ ':pk': 'AUDIT#E1' });
    const all = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: values,
      }),
    );
    expect(outcomes(all.Items)).toEqual(['a', 'b', 'c', 'd']);
    expect(all.Count).toBe(4);
    expect(all.LastEvaluatedKey).toBeUndefined();
    const latest = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: 2,
      }),
    );
    expect(outcomes(latest.Items)).toEqual(['d', 'c']);
    expect(latest.LastEvaluatedKey).toEqual(marshall({ pk: 'AUDIT#E1', sk: '2026-11-28T03:00:00Z#c' }));
    const next = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: 2,
        ExclusiveStartKey: latest.LastEvaluatedKey,
      }),
    );
    expect(outcomes(next.Items)).toEqual(['b', 'a']);
  });

  it('narrows by a sort key condition and filters after the limit', async () => {
    const ddb = await auditWorld();
    const query = async (condition: string, values: Record<string, unknown>, extra = {}) =>
      outcomes(
        (
          await ddb.send(
            new QueryCommand({
              TableName: TABLE,
              KeyConditionExpression: `pk = :pk AND ${condition}`,
              ExpressionAttributeValues: marshall({ ':pk': 'AUDIT#E1', ...values }),
              ...extra,
            }),
          )
        ).Items,
      );
    expect(await query('begins_with(sk, :p)', { ':p': '2026-11-28' })).toEqual(['a', 'b', 'c']);
    expect(await query('sk > :x', { ':x': '2026-11-28T02' })).toEqual(['b', 'c', 'd']);
    expect(await query('sk <= :x', { ':x': '2026-11-28T02:00:00Z#b' })).toEqual(['a', 'b']);
    expect(
      await query(
        '#k BETWEEN :lo AND :hi',
        { ':lo': '2026-11-28T02', ':hi': '2026-11-28T04' },
        {
          ExpressionAttributeNames: { '#k': 'sk' },
        },
      ),
    ).toEqual(['b', 'c']);
    const filtered = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'outcome <> :a',
        ExpressionAttributeValues: marshall({ ':pk': 'AUDIT#E1', ':a': 'a' }),
        Limit: 2,
      }),
    );
    expect(outcomes(filtered.Items)).toEqual(['b']);
    expect(filtered.ScannedCount).toBe(2);
  });

  it('refuses key conditions DynamoDB cannot serve', async () => {
    const ddb = await auditWorld();
    const refuse = async (KeyConditionExpression: string, values: Record<string, unknown>) =>
      (
        await rejection(
          ddb.send(
            new QueryCommand({
              TableName: TABLE,
              KeyConditionExpression,
              ExpressionAttributeValues: marshall(values),
            }),
          ),
        )
      ).message;
    expect(await refuse('pk = :pk OR sk = :s', { ':pk': 'AUDIT#E1', ':s': 'x' })).toContain('OR');
    expect(await refuse('sk = :s', { ':s': 'x' })).toContain('missed key schema element: pk');
    expect(await refuse('pk = :pk AND outcome = :s', { ':pk': 'AUDIT#E1', ':s': 'x' })).toContain(
      'missed key schema element',
    );
    expect(await refuse('pk > :pk', { ':pk': 'AUDIT#E1' })).toContain('not supported');
  });
});
