// The DynamoDB table: one remediation per distribution (lock with expiry) and audit records. Pending approvals
// live in it too (functions/adapters/approvals.ts), and the hourly change counter (functions/adapters/guard.ts).
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { awsCall, errorCode } from './aws-call.ts';

export interface LockResult {
  acquired: boolean;
  /** the execution holding the lock when it was not acquired */
  holder?: string;
}

export interface AuditRecord {
  distributionId: string;
  /** the distribution's account (issue 15: one hub's table serves every member account) */
  account?: string;
  executionId: string;
  executionName: string;
  startedAt: string;
  endedAt: string;
  outcome: string;
  alarmName?: string;
  causes: unknown;
  plan: unknown;
  approval: unknown;
  changes: unknown;
  error?: string;
}

/**
 * The lock item of a distribution: per account and distribution when the account is known (issue 15), the
 * distribution alone otherwise (single-account payloads from before).
 */
export function lockKey(distributionId: string, account?: string): string {
  return account ? `LOCK#${account}#${distributionId}` : `LOCK#${distributionId}`;
}

export class RemediationTable {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Takes the distribution's lock unless another execution holds an unexpired one; re-entrant for the holder. */
  async acquireLock(
    distributionId: string,
    executionId: string,
    nowSeconds: number,
    ttlSeconds: number,
    account?: string,
  ): Promise<LockResult> {
    const pk = lockKey(distributionId, account);
    try {
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            pk,
            sk: 'LOCK',
            ...(account ? { account } : {}),
            holder: executionId,
            acquiredAt: new Date(nowSeconds * 1000).toISOString(),
            expiresAt: nowSeconds + ttlSeconds,
            ttl: nowSeconds + ttlSeconds,
          }),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :me',
          ExpressionAttributeValues: marshall({ ':now': nowSeconds, ':me': executionId }),
        }),
      );
      return { acquired: true };
    } catch (err) {
      if (errorCode(err) !== 'ConditionalCheckFailedException') {
        return awsCall(`PutItem lock ${distributionId}`, () => Promise.reject(err));
      }
      const held = await awsCall(`GetItem lock ${distributionId}`, () =>
        this.ddb.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: marshall({ pk, sk: 'LOCK' }),
            ConsistentRead: true,
          }),
        ),
      );
      const holder = held.Item ? (unmarshall(held.Item).holder as string | undefined) : undefined;
      return { acquired: false, holder };
    }
  }

  /** Releases the lock only if this execution holds it; true when released. */
  async releaseLock(distributionId: string, executionId: string, account?: string): Promise<boolean> {
    try {
      await this.ddb.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk: lockKey(distributionId, account), sk: 'LOCK' }),
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: marshall({ ':me': executionId }),
        }),
      );
      return true;
    } catch (err) {
      if (errorCode(err) === 'ConditionalCheckFailedException') return false;
      return awsCall(`DeleteItem lock ${distributionId}`, () => Promise.reject(err));
    }
  }

  async putAudit(record: AuditRecord): Promise<void> {
    const { distributionId, startedAt, executionName, causes, plan, approval, changes, ...rest } = record;
    await awsCall(`PutItem audit ${record.executionId}`, () =>
      this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall(
            {
              pk: `AUDIT#${distributionId}`,
              sk: `${startedAt}#${executionName}`,
              distributionId,
              startedAt,
              executionName,
              ...rest,
              causes: JSON.stringify(causes),
              plan: JSON.stringify(plan),
              approval: JSON.stringify(approval),
              changes: JSON.stringify(changes),
            },
            { removeUndefinedValues: true },
          ),
        }),
      ),
    );
  }

  async auditTrail(distributionId: string, limit = 20): Promise<Record<string, unknown>[]> {
    const out = await awsCall(`Query audit ${distributionId}`, () =>
      this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: marshall({ ':pk': `AUDIT#${distributionId}` }),
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []).map((i) => unmarshall(i));
  }
}
