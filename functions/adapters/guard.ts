// Reads what the operator controls need (the pause switch, tags, the hourly change counter) and takes a slot
// of the hourly cap. The decisions are in functions/domain/guard.ts.
import { ListTagsForResourceCommand } from '@aws-sdk/client-cloudfront';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Config } from '../config.ts';
import {
  type Controls,
  changeHour,
  isTrue,
  type Owner,
  ownerOf,
  type Tags,
  type Target,
  targetKey,
  targetOf,
} from '../domain/guard.ts';
import { kmsRegionOf } from '../domain/kms-key.ts';
import type { Plan } from '../domain/types.ts';
import { awsCall, errorCode } from './aws-call.ts';
import type { AwsClients } from './clients.ts';

/** Changes counted in one clock hour: `{ count, executions }`, expiring a day later. */
const counterKey = (hour: string) => marshall({ pk: `CHANGES#${hour}`, sk: 'COUNT' });

/** Tags of a distribution (CloudFront ListTagsForResource). */
export async function distributionTags(clients: Pick<AwsClients, 'cloudfront'>, arn: string): Promise<Tags> {
  const out = await awsCall(`ListTagsForResource ${arn}`, () =>
    clients.cloudfront.send(new ListTagsForResourceCommand({ Resource: arn })),
  );
  return Object.fromEntries((out.Tags?.Items ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

async function bucketTags(clients: Pick<AwsClients, 's3'>, bucket: string): Promise<Tags> {
  try {
    const out = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (err) {
    // S3 answers NoSuchTagSet for a bucket without tags (GetBucketTagging API reference).
    if (errorCode(err) === 'NoSuchTagSet') return {};
    return awsCall(`GetBucketTagging ${bucket}`, () => Promise.reject(err));
  }
}

async function keyTags(clients: Pick<AwsClients, 'kms' | 'kmsIn'>, keyId: string): Promise<Tags> {
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  // a key is called in its own region, from its ARN (issue 10)
  const region = kmsRegionOf(keyId);
  const kms = region && clients.kmsIn ? await clients.kmsIn(region) : clients.kms;
  do {
    const out = await awsCall(`ListResourceTags ${keyId}`, () =>
      kms.send(new ListResourceTagsCommand({ KeyId: keyId, ...(marker ? { Marker: marker } : {}) })),
    );
    for (const t of out.Tags ?? []) tags[t.TagKey ?? ''] = t.TagValue ?? '';
    marker = out.Truncated ? out.NextMarker : undefined;
  } while (marker);
  return tags;
}

/** True when the pause switch reads `true`. A missing parameter reads as not paused. */
export async function isPaused(
  clients: Pick<AwsClients, 'ssm'>,
  parameter: string | undefined,
): Promise<boolean> {
  if (!parameter) return false;
  try {
    const out = await clients.ssm.send(new GetParameterCommand({ Name: parameter }));
    return isTrue(out.Parameter?.Value);
  } catch (err) {
    if (errorCode(err) === 'ParameterNotFound') return false;
    return awsCall(`GetParameter ${parameter}`, () => Promise.reject(err));
  }
}

async function changesThisHour(
  ddb: DynamoDBClient,
  table: string | undefined,
  hour: string,
): Promise<number> {
  if (!table) return 0;
  const out = await awsCall(`GetItem changes ${hour}`, () =>
    ddb.send(new GetItemCommand({ TableName: table, Key: counterKey(hour), ConsistentRead: true })),
  );
  const count = out.Item ? unmarshall(out.Item).count : 0;
  return typeof count === 'number' ? count : 0;
}

/** The pause switch, the opt-out tag and the hour's counter, as they are now. */
export async function readControls(
  clients: Pick<AwsClients, 'ssm' | 'cloudfront' | 'dynamodb'>,
  config: Config,
  target: { distributionArn: string; now: Date; distributionTags?: Tags },
): Promise<Controls> {
  const hour = changeHour(target.now);
  const [paused, tags, count] = await Promise.all([
    isPaused(clients, config.pauseParameter),
    target.distributionTags ?? distributionTags(clients, target.distributionArn),
    changesThisHour(clients.dynamodb, config.tableName, hour),
  ]);
  return {
    ...(paused && config.pauseParameter ? { pausedBy: config.pauseParameter } : {}),
    ...(isTrue(tags[config.optOutTagKey]) ? { optedOutBy: config.optOutTagKey } : {}),
    changesThisHour: count,
    maxChangesPerHour: config.maxChangesPerHour,
    hour,
  };
}

/**
 * Owners of the resources the plan's changes write, by targetKey; the distribution's tags are passed in. A bucket
 * or key of another account (Action.account) is read with that account's clients (`clientsFor`).
 */
export async function readOwners(
  clients: Pick<AwsClients, 's3' | 'kms' | 'kmsIn'>,
  plan: Plan,
  distributionId: string,
  tagsOfDistribution: Tags,
  clientsFor?: (account: string) => Promise<Pick<AwsClients, 's3' | 'kms' | 'kmsIn'>>,
): Promise<Map<string, Owner>> {
  const targets = new Map<string, { target: Target; account?: string }>();
  for (const a of plan.actions) {
    if (!a.change) continue;
    const t = targetOf(a.change, distributionId);
    targets.set(targetKey(t), { target: t, ...(a.account ? { account: a.account } : {}) });
  }
  const owners = new Map<string, Owner>();
  for (const [k, { target: t, account }] of targets) {
    const where = account && clientsFor ? await clientsFor(account) : clients;
    const tags =
      t.kind === 'distribution'
        ? tagsOfDistribution
        : t.kind === 'bucket'
          ? await bucketTags(where, t.name)
          : await keyTags(where, t.keyId);
    const owner = ownerOf(tags);
    if (owner) owners.set(k, owner);
  }
  return owners;
}

/**
 * Counts this execution among the hour's changes, unless the cap is reached. Atomic (one conditional
 * UpdateItem) and idempotent: a retried apply finds itself already counted.
 */
export async function takeChangeSlot(
  ddb: DynamoDBClient,
  table: string | undefined,
  opts: { executionName: string; now: Date; maxChangesPerHour: number },
): Promise<{ taken: true } | { taken: false; count: number; hour: string }> {
  if (!table) return { taken: true };
  const hour = changeHour(opts.now);
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: counterKey(hour),
        UpdateExpression:
          'SET #count = if_not_exists(#count, :zero) + :one, #executions = list_append(if_not_exists(#executions, :none), :me), #ttl = :ttl',
        ConditionExpression:
          'attribute_not_exists(pk) OR (#count < :cap AND NOT contains(#executions, :name))',
        ExpressionAttributeNames: { '#count': 'count', '#executions': 'executions', '#ttl': 'ttl' },
        ExpressionAttributeValues: marshall({
          ':zero': 0,
          ':one': 1,
          ':none': [],
          ':me': [opts.executionName],
          ':name': opts.executionName,
          ':cap': opts.maxChangesPerHour,
          ':ttl': Math.floor(opts.now.getTime() / 1000) + 24 * 3600,
        }),
      }),
    );
    return { taken: true };
  } catch (err) {
    if (errorCode(err) !== 'ConditionalCheckFailedException')
      return awsCall(`UpdateItem changes ${hour}`, () => Promise.reject(err));
  }
  const out = await awsCall(`GetItem changes ${hour}`, () =>
    ddb.send(new GetItemCommand({ TableName: table, Key: counterKey(hour), ConsistentRead: true })),
  );
  const item = out.Item ? unmarshall(out.Item) : {};
  const executions: unknown = item.executions;
  if (Array.isArray(executions) && executions.includes(opts.executionName)) return { taken: true };
  return { taken: false, count: typeof item.count === 'number' ? item.count : 0, hour };
}
