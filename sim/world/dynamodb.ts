// DynamoDB: the workflow's own table (lock, approval token mapping, audit). Tables exist implicitly by name,
// with the key schema of the contract: partition key `pk` (S) and sort key `sk` (S). Each handler runs
// synchronously inside World.call, so every call is atomic, which the conditional lock relies on.
import type {
  AttributeValue,
  DeleteItemCommandInput,
  DeleteItemCommandOutput,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  PutItemCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import {
  applyUpdate,
  attributeProblem,
  type Condition,
  compareValues,
  type DynamoItem,
  ExpressionContext,
  ExpressionError,
  evaluate,
  parseCondition,
  parseProjection,
  parseUpdate,
  project,
  typeOf,
} from './dynamodb-expr.ts';
import { serviceError } from './errors.ts';
import { type Handler, type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
const KEYS = [PARTITION_KEY, SORT_KEY] as const;

function validation(message: string, cause?: unknown): Error {
  const error = serviceError({ service: 'dynamodb', name: 'ValidationException', message, status: 400 });
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** A handler whose ExpressionErrors answer as ValidationException. */
function ddb<I extends object, O extends object>(fn: (input: I) => O): Handler {
  return handler<I, O>((input) => {
    try {
      return fn(input);
    } catch (error) {
      if (error instanceof ExpressionError) throw validation(error.message, error);
      throw error;
    }
  });
}

function conditionFailed(old: DynamoItem | undefined, returnOld: string | undefined): Error {
  const error = serviceError({
    service: 'dynamodb',
    name: 'ConditionalCheckFailedException',
    message: 'The conditional request failed',
    status: 400,
  });
  // ReturnValuesOnConditionCheckFailure: ALL_OLD puts the item on the exception, as the SDK models it
  if (returnOld === 'ALL_OLD' && old) Object.assign(error, { Item: structuredClone(old) });
  return error;
}

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

function tableOf(world: World, name: string | undefined): Map<string, DynamoItem> {
  if (name === undefined || !TABLE_NAME.test(name)) {
    throw validation(
      `1 validation error detected: Value '${name ?? 'null'}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and length 3..255`,
    );
  }
  let table = world.state.tables.get(name);
  if (!table) {
    table = new Map();
    world.state.tables.set(name, table);
  }
  return table;
}

function keyValue(attrs: DynamoItem, name: string, what: 'key' | 'item'): string {
  const value = attrs[name];
  if (value === undefined) {
    throw validation(
      what === 'item'
        ? `One or more parameter values were invalid: Missing the key ${name} in the item`
        : 'The provided key element does not match the schema',
    );
  }
  if (value.S === undefined) {
    const actual = typeOf(value) ?? 'unknown';
    throw validation(
      `One or more parameter values were invalid: Type mismatch for key ${name} expected: S actual: ${actual}`,
    );
  }
  if (value.S === '') {
    throw validation(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${name}`,
    );
  }
  return value.S;
}

/** The storage key of a `Key` (exactly pk and sk) or an `Item` (pk and sk among its attributes). */
function storageKey(attrs: DynamoItem | undefined, what: 'key' | 'item'): string {
  if (!attrs)
    throw validation(
      what === 'key' ? 'The provided key element does not match the schema' : 'Item is required',
    );
  if (what === 'key' && Object.keys(attrs).length !== KEYS.length)
    throw validation('The provided key element does not match the schema');
  return JSON.stringify(KEYS.map((k) => keyValue(attrs, k, what)));
}

function checkItem(item: DynamoItem): void {
  for (const [name, value] of Object.entries(item)) {
    const problem = attributeProblem(value);
    if (problem)
      throw validation(`One or more parameter values were invalid: ${problem} (attribute ${name})`);
  }
}

function onlyReturnValues(value: string | undefined, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value)) throw validation('Return values set to invalid value');
}

interface Expressions {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

function contextOf(input: Expressions): ExpressionContext {
  return new ExpressionContext(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
}

function keyOnly(item: DynamoItem): DynamoItem {
  const out: DynamoItem = {};
  for (const k of KEYS) {
    const v = item[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The parts of a KeyConditionExpression: the partition key value and an optional sort key condition. */
function keyCondition(condition: Condition): { pk: string; sk?: Condition } {
  const parts: Condition[] = [];
  const flatten = (c: Condition): void => {
    if (c.kind === 'and') {
      flatten(c.left);
      flatten(c.right);
    } else if (c.kind === 'or' || c.kind === 'not') {
      throw validation(`Invalid operator used in KeyConditionExpression: ${c.kind.toUpperCase()}`);
    } else parts.push(c);
  };
  flatten(condition);
  if (parts.length > 2) throw validation('Conditions can be of length 1 or 2 only');
  const keyOf = (c: Condition): string | undefined => {
    const path =
      c.kind === 'function'
        ? c.path
        : c.kind === 'compare' && c.left.kind === 'path'
          ? c.left.path
          : c.kind === 'between' && c.subject.kind === 'path'
            ? c.subject.path
            : undefined;
    const [name, ...rest] = path?.parts ?? [];
    return typeof name === 'string' && rest.length === 0 ? name : undefined;
  };
  const schemaMismatch = () =>
    validation(
      'One or more parameter values were invalid: Condition parameter type does not match schema type',
    );
  let pk: string | undefined;
  let sk: Condition | undefined;
  for (const c of parts) {
    const key = keyOf(c);
    if (key === PARTITION_KEY) {
      if (c.kind !== 'compare' || c.op !== '=' || c.right.kind !== 'value')
        throw validation('Query key condition not supported');
      if (c.right.value.S === undefined) throw schemaMismatch();
      pk = c.right.value.S;
    } else if (key === SORT_KEY) {
      const ok =
        (c.kind === 'compare' && c.op !== '<>' && c.right.kind === 'value') ||
        (c.kind === 'between' && c.low.kind === 'value' && c.high.kind === 'value') ||
        (c.kind === 'function' && c.name === 'begins_with' && c.arg?.kind === 'value');
      if (!ok) throw validation('Query key condition not supported');
      const values =
        c.kind === 'compare' ? [c.right] : c.kind === 'between' ? [c.low, c.high] : c.arg ? [c.arg] : [];
      if (values.some((v) => v.kind === 'value' && v.value.S === undefined)) throw schemaMismatch();
      sk = c;
    } else {
      throw validation(
        key
          ? `Query condition missed key schema element: ${PARTITION_KEY}`
          : 'Query key condition not supported',
      );
    }
  }
  if (pk === undefined) throw validation(`Query condition missed key schema element: ${PARTITION_KEY}`);
  return sk ? { pk, sk } : { pk };
}

function compareItems(a: DynamoItem, b: DynamoItem): number {
  for (const k of KEYS) {
    const x = a[k];
    const y = b[k];
    const order = x && y ? (compareValues(x, y) ?? 0) : 0;
    if (order !== 0) return order;
  }
  return 0;
}

/** Items of a table in key order (deep copies), for tests and reports. */
export function tableItems(world: World, tableName: string): DynamoItem[] {
  const table = world.state.tables.get(tableName);
  return table ? [...table.values()].sort(compareItems).map((i) => structuredClone(i)) : [];
}

export function dynamoDbHandlers(world: World): Handlers {
  return {
    PutItem: ddb<PutItemCommandInput, Out<PutItemCommandOutput>>((input) => {
      const table = tableOf(world, input.TableName);
      onlyReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD']);
      const item = input.Item;
      const key = storageKey(item, 'item');
      if (!item) throw validation('Item is required');
      checkItem(item);
      const ctx = contextOf(input);
      const condition =
        input.ConditionExpression !== undefined
          ? parseCondition('ConditionExpression', input.ConditionExpression, ctx)
          : undefined;
      ctx.checkUnused();
      const old = table.get(key);
      if (condition && !evaluate(condition, old))
        throw conditionFailed(old, input.ReturnValuesOnConditionCheckFailure);
      table.set(key, structuredClone(item));
      return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: structuredClone(old) } : {};
    }),

    GetItem: ddb<GetItemCommandInput, Out<GetItemCommandOutput>>((input) => {
      const table = tableOf(world, input.TableName);
      const key = storageKey(input.Key, 'key');
      const ctx = contextOf(input);
      const names =
        input.ProjectionExpression !== undefined
          ? parseProjection(input.ProjectionExpression, ctx)
          : undefined;
      ctx.checkUnused();
      // every read is consistent here, so ConsistentRead changes nothing
      const item = table.get(key);
      if (!item) return {};
      return { Item: structuredClone(names ? project(item, names) : item) };
    }),

    DeleteItem: ddb<DeleteItemCommandInput, Out<DeleteItemCommandOutput>>((input) => {
      const table = tableOf(world, input.TableName);
      onlyReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD']);
      const key = storageKey(input.Key, 'key');
      const ctx = contextOf(input);
      const condition =
        input.ConditionExpression !== undefined
          ? parseCondition('ConditionExpression', input.ConditionExpression, ctx)
          : undefined;
      ctx.checkUnused();
      const old = table.get(key);
      if (condition && !evaluate(condition, old))
        throw conditionFailed(old, input.ReturnValuesOnConditionCheckFailure);
      table.delete(key);
      return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: structuredClone(old) } : {};
    }),

    UpdateItem: ddb<UpdateItemCommandInput, Out<UpdateItemCommandOutput>>((input) => {
      const table = tableOf(world, input.TableName);
      onlyReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']);
      if (input.AttributeUpdates || input.Expected)
        throw new Error('World: legacy UpdateItem parameters are not simulated');
      const key = storageKey(input.Key, 'key');
      if (!input.Key || input.UpdateExpression === undefined)
        throw validation('UpdateExpression is required');
      const ctx = contextOf(input);
      const plan = parseUpdate(input.UpdateExpression, ctx);
      const condition =
        input.ConditionExpression !== undefined
          ? parseCondition('ConditionExpression', input.ConditionExpression, ctx)
          : undefined;
      ctx.checkUnused();
      for (const path of [...plan.set.map((s) => s.path), ...plan.remove]) {
        const top = path.parts[0];
        if (top === PARTITION_KEY || top === SORT_KEY)
          throw validation(
            `One or more parameter values were invalid: Cannot update attribute ${top}. This attribute is part of the key`,
          );
      }
      const old = table.get(key);
      if (condition && !evaluate(condition, old))
        throw conditionFailed(old, input.ReturnValuesOnConditionCheckFailure);
      // an update of a missing item creates it from its key
      const next = applyUpdate(plan, old, old ?? input.Key);
      checkItem(next);
      table.set(key, next);
      const touched = new Set(
        [...plan.set.map((s) => s.path), ...plan.remove]
          .map((p) => p.parts[0])
          .filter((p) => typeof p === 'string'),
      );
      const pick = (item: DynamoItem | undefined): DynamoItem =>
        Object.fromEntries(Object.entries(item ?? {}).filter(([k]) => touched.has(k)));
      switch (input.ReturnValues) {
        case 'ALL_OLD':
          return old ? { Attributes: structuredClone(old) } : {};
        case 'ALL_NEW':
          return { Attributes: structuredClone(next) };
        case 'UPDATED_OLD': {
          const attrs = pick(old);
          return Object.keys(attrs).length > 0 ? { Attributes: structuredClone(attrs) } : {};
        }
        case 'UPDATED_NEW': {
          const attrs = pick(next);
          return Object.keys(attrs).length > 0 ? { Attributes: structuredClone(attrs) } : {};
        }
        default:
          return {};
      }
    }),

    Query: ddb<QueryCommandInput, Out<QueryCommandOutput>>((input) => {
      const table = tableOf(world, input.TableName);
      if (input.IndexName !== undefined)
        throw validation(`The table does not have the specified index: ${input.IndexName}`);
      if (input.KeyConditions || input.QueryFilter)
        throw new Error('World: legacy Query parameters are not simulated');
      if (input.KeyConditionExpression === undefined)
        throw validation(
          'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
        );
      if (input.Limit !== undefined && (!Number.isInteger(input.Limit) || input.Limit < 1)) {
        throw validation(
          `1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
        );
      }
      const ctx = contextOf(input);
      const { pk, sk } = keyCondition(
        parseCondition('KeyConditionExpression', input.KeyConditionExpression, ctx),
      );
      const filter =
        input.FilterExpression !== undefined
          ? parseCondition('FilterExpression', input.FilterExpression, ctx)
          : undefined;
      const names =
        input.ProjectionExpression !== undefined
          ? parseProjection(input.ProjectionExpression, ctx)
          : undefined;
      ctx.checkUnused();
      let items = [...table.values()]
        .filter((i) => i[PARTITION_KEY]?.S === pk && (!sk || evaluate(sk, i)))
        .sort(compareItems);
      if (input.ScanIndexForward === false) items.reverse();
      const start = input.ExclusiveStartKey;
      if (start) {
        const startKey = storageKey(start, 'key');
        const at = items.findIndex((i) => storageKey(keyOnly(i), 'key') === startKey);
        // the start key need not exist: continue after where it would sort
        const forward = input.ScanIndexForward !== false;
        items =
          at >= 0
            ? items.slice(at + 1)
            : items.filter((i) => {
                const order = compareItems(i, start);
                return forward ? order > 0 : order < 0;
              });
      }
      // Limit counts items read before the filter, as DynamoDB does
      const scanned = input.Limit !== undefined ? items.slice(0, input.Limit) : items;
      const matched = filter ? scanned.filter((i) => evaluate(filter, i)) : scanned;
      const last = scanned.at(-1);
      const stoppedByLimit =
        input.Limit !== undefined && scanned.length === input.Limit && last !== undefined;
      const out: Out<QueryCommandOutput> = {
        Count: matched.length,
        ScannedCount: scanned.length,
      };
      if (input.Select !== 'COUNT')
        out.Items = matched.map((i) => structuredClone(names ? project(i, names) : i));
      if (stoppedByLimit) out.LastEvaluatedKey = structuredClone(keyOnly(last));
      return out;
    }),
  };
}
