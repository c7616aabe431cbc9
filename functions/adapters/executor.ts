// Applies a plan's changes with a snapshot before each one, and restores those snapshots exactly.

import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import {
  CreateFunctionCommand,
  CreateOriginAccessControlCommand,
  DeleteFunctionCommand,
  DeleteOriginAccessControlCommand,
  DescribeFunctionCommand,
  GetDistributionConfigCommand,
  GetFunctionCommand,
  GetOriginAccessControlCommand,
  ListOriginAccessControlsCommand,
  type OriginAccessControlSummary,
  PublishFunctionCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  type KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {
  AddPermissionCommand,
  GetPolicyCommand,
  type LambdaClient,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import {
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  type OwnershipControls,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { applyDistributionEdits, editsAreNoop } from '../domain/edits.ts';
import { kmsRegionOf } from '../domain/kms-key.ts';
import { mergeStatement, replaceStatement } from '../domain/policy/merge.ts';
import type { Action, AppliedChange, DistributionEdit, LambdaPermission, Snapshot } from '../domain/types.ts';
import { ChangeConflictError, RetryableAwsError, RollbackIncompleteError } from '../errors.ts';
import type { ArtifactStore } from './artifacts.ts';
import { awsCall, errorCode, isPreconditionFailed, isRetryable, toStepError } from './aws-call.ts';
import type { AwsClients } from './clients.ts';

export interface ApplyResult {
  applied: AppliedChange[];
  /** the distribution config changed (or a pending deployment must finish) before verification */
  waitForDeployment: boolean;
  distributionChanged: boolean;
  snapshots: number;
}

export interface RollbackResult {
  /** every snapshot that is back in place (restored now or by an earlier attempt) */
  restored: string[];
  /** a distribution config was restored: its deployment must finish before the outcome */
  distributionChanged: boolean;
}

/** The snapshot artifact: what to restore, and OACs being created whose id is not known yet. */
interface SnapshotRecord {
  snapshots: Snapshot[];
  rolledBack: boolean;
  /** names of OACs this execution was about to create; an OAC created without its snapshot is found by name */
  pendingOacs?: string[];
}

/** Stale ETags (someone else changed the resource meanwhile): read again and re-apply, this many times. */
const PRECONDITION_RETRIES = 3;
const OAC_DESCRIPTION = 'Created by cf403';
/** Comment of every CloudFront Function cf403 creates: the rollback deletes only functions that carry it. */
const FUNCTION_COMMENT_PREFIX = 'cf403';

/** Same resource, so a re-read replaces the snapshot: the state right before our write is what to restore. */
function sameResource(a: Snapshot, b: Snapshot): boolean {
  switch (a.kind) {
    case 'distribution-config':
      return b.kind === a.kind && b.distributionId === a.distributionId;
    case 'bucket-policy':
    case 'ownership-controls':
      return b.kind === a.kind && b.bucket === a.bucket;
    case 'key-policy':
      return b.kind === a.kind && b.keyId === a.keyId;
    case 'created-oac':
      return b.kind === a.kind && b.oacId === a.oacId;
    case 'created-function':
      return b.kind === a.kind && b.name === a.name;
    case 'lambda-permission':
      return b.kind === a.kind && b.functionName === a.functionName && b.statementId === a.statementId;
  }
}

function inAccount(account: string | undefined): string {
  return account ? ` in account ${account}` : '';
}

function describeSnapshot(s: Snapshot): string {
  switch (s.kind) {
    case 'distribution-config':
      return `distribution ${s.distributionId} config`;
    case 'bucket-policy':
      return `bucket ${s.bucket} policy${inAccount(s.account)}`;
    case 'key-policy':
      return `key ${s.keyId} policy${inAccount(s.account)}`;
    case 'ownership-controls':
      return `bucket ${s.bucket} ownership controls${inAccount(s.account)}`;
    case 'created-oac':
      return `OAC ${s.oacId}`;
    case 'created-function':
      return `CloudFront Function ${s.name}`;
    case 'lambda-permission':
      return `statement ${s.statementId} of ${s.functionName}'s policy`;
  }
}

/** JSON with sorted keys: two reads of the same config compare equal whatever the key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Runs a read-modify-write again from the read when its conditional write lost a race. */
async function rereadOnConflict<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (isPreconditionFailed(err) && attempt < PRECONDITION_RETRIES) continue;
      throw err;
    }
  }
}

export class ChangeExecutor {
  private record: SnapshotRecord = { snapshots: [], rolledBack: false };

  constructor(
    /** the distribution account's clients: its distribution, OACs, functions and permissions are written here */
    private readonly clients: AwsClients,
    private readonly artifacts: ArtifactStore,
    /** artifact key of this execution's snapshots */
    private readonly snapshotKey: string,
    /** clients of another account, for a bucket or key an action or snapshot names the account of (issue 15) */
    private readonly clientsFor?: (account: string) => Promise<AwsClients>,
  ) {}

  /** The clients that write in `account` (undefined: the distribution's own account). */
  private async clientsIn(account: string | undefined): Promise<AwsClients> {
    if (account === undefined) return this.clients;
    if (!this.clientsFor)
      throw new ChangeConflictError(
        `a change in account ${account} needs that account's clients; none were given`,
      );
    return this.clientsFor(account);
  }

  private where(): string {
    return this.artifacts.locate?.(this.snapshotKey) ?? this.snapshotKey;
  }

  private async save(): Promise<void> {
    await this.artifacts.put(this.snapshotKey, this.record);
  }

  /** Records the snapshot durably before the change it protects is made (a re-read replaces its own). */
  private async snapshot(s: Snapshot): Promise<void> {
    const i = this.record.snapshots.findIndex((x) => sameResource(x, s));
    if (i >= 0) this.record.snapshots[i] = s;
    else this.record.snapshots.push(s);
    await this.save();
  }

  async apply(distributionId: string, actions: readonly Action[]): Promise<ApplyResult> {
    // A retried step continues from the snapshots of the earlier attempt: what it changed is already in place.
    const existing = await this.artifacts.find<SnapshotRecord>(this.snapshotKey);
    this.record = {
      snapshots: existing?.snapshots ?? [],
      rolledBack: false,
      pendingOacs: existing?.pendingOacs ?? [],
    };
    const applied: AppliedChange[] = [];
    const oacIds: Record<string, string> = {};
    const functionArns: Record<string, string> = {};
    const distEdits: { action: Action; edits: DistributionEdit[] }[] = [];
    let waitForDeployment = false;
    // Bucket and key policies first, then OACs, then one distribution update carrying every edit:
    // CloudFront starts signing only once the grant is already in place.
    const order = (a: Action) =>
      a.change?.type === 'create-or-reuse-oac' || a.change?.type === 'create-function'
        ? 1
        : a.change?.type === 'update-distribution'
          ? 2
          : 0;
    for (const action of [...actions].sort((a, b) => order(a) - order(b))) {
      const change = action.change;
      if (!change) continue;
      let calls: string[] = [];
      switch (change.type) {
        case 'merge-bucket-policy-statement':
        case 'replace-bucket-policy-statement':
          calls = await rereadOnConflict(() => this.changeBucketPolicy(change, action.account));
          break;
        case 'merge-key-policy-statement':
          calls = await rereadOnConflict(() =>
            this.changeKeyPolicy(change.keyId, change.statement, action.account),
          );
          break;
        case 'put-ownership-controls':
          calls = await rereadOnConflict(() =>
            this.changeOwnership(change.bucket, change.objectOwnership, action.account),
          );
          break;
        case 'create-or-reuse-oac': {
          const oac = await this.createOrReuseOac(change.oacName, change.bucket);
          oacIds[change.originId] = oac.id;
          calls = oac.calls;
          break;
        }
        case 'update-distribution':
          distEdits.push({ action, edits: change.edits });
          continue;
        case 'wait-for-deployment':
          waitForDeployment = true;
          calls.push(`GetDistribution ${change.distributionId} (wait for Deployed)`);
          break;
        case 'create-function': {
          const fn = await this.createOrReuseFunction(change.functionName, change.comment, change.code);
          functionArns[change.functionName] = fn.arn;
          calls = fn.calls;
          break;
        }
        case 'add-lambda-permission':
          calls = await this.addLambdaPermission(change.permission);
          break;
        case 'invalidate-cached-errors':
          // The invalidation that follows every apply drops the cached errors: nothing to change here.
          calls.push(`CreateInvalidation ${change.distributionId} (next step)`);
          break;
      }
      applied.push({ actionId: action.id, description: action.description, calls });
    }
    if (distEdits.length > 0) {
      const edits = distEdits.flatMap((d) => d.edits);
      const calls = await this.updateDistribution(distributionId, edits, oacIds, functionArns);
      for (const d of distEdits)
        applied.push({ actionId: d.action.id, description: d.action.description, calls });
    }
    // Changed now or by an earlier attempt of this step: either way its deployment must finish first.
    const distributionChanged = this.record.snapshots.some(
      (s) => s.kind === 'distribution-config' && s.distributionId === distributionId,
    );
    return {
      applied,
      waitForDeployment: waitForDeployment || distributionChanged,
      distributionChanged,
      snapshots: this.record.snapshots.length,
    };
  }

  private async changeBucketPolicy(
    change: Extract<
      NonNullable<Action['change']>,
      { type: 'merge-bucket-policy-statement' | 'replace-bucket-policy-statement' }
    >,
    account: string | undefined,
  ): Promise<string[]> {
    const calls: string[] = [];
    const { s3 } = await this.clientsIn(account);
    const where = account ? ` (account ${account})` : '';
    const before = await this.bucketPolicy(change.bucket, s3);
    const next =
      change.type === 'merge-bucket-policy-statement'
        ? mergeStatement(before, change.statement)
        : replaceStatement(before ?? '', change.index, change.statement);
    calls.push(`GetBucketPolicy ${change.bucket}${where}`);
    if (next.changed) {
      await this.snapshot({
        kind: 'bucket-policy',
        bucket: change.bucket,
        policy: before,
        ...(account ? { account } : {}),
      });
      await awsCall(`PutBucketPolicy ${change.bucket}${where}`, () =>
        s3.send(new PutBucketPolicyCommand({ Bucket: change.bucket, Policy: next.policy })),
      );
      calls.push(`PutBucketPolicy ${change.bucket}${where}`);
    }
    return calls;
  }

  /** The KMS client of a key's own region (from its ARN); the workflow region's for a bare key id. */
  private async kmsFor(keyId: string, account?: string): Promise<KMSClient> {
    const clients = await this.clientsIn(account);
    const region = kmsRegionOf(keyId);
    return region && clients.kmsIn ? clients.kmsIn(region) : clients.kms;
  }

  private async changeKeyPolicy(
    keyId: string,
    statement: Record<string, unknown>,
    account: string | undefined,
  ): Promise<string[]> {
    const calls: string[] = [];
    const kms = await this.kmsFor(keyId, account);
    // An AWS managed key's policy cannot be changed: never send it a PutKeyPolicy (the plan escalates them).
    const described = await awsCall(`DescribeKey ${keyId}`, () =>
      kms.send(new DescribeKeyCommand({ KeyId: keyId })),
    );
    calls.push(`DescribeKey ${keyId}`);
    if (described.KeyMetadata?.KeyManager === 'AWS') {
      throw new ChangeConflictError(
        `KMS key ${keyId} is an AWS managed key (KeyManager = AWS): its key policy cannot be changed`,
      );
    }
    const out = await awsCall(`GetKeyPolicy ${keyId}`, () =>
      kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' })),
    );
    const before = out.Policy ?? '';
    const next = mergeStatement(before, statement);
    calls.push(`GetKeyPolicy ${keyId}`);
    if (next.changed) {
      await this.snapshot({ kind: 'key-policy', keyId, policy: before, ...(account ? { account } : {}) });
      await awsCall(`PutKeyPolicy ${keyId}`, () =>
        kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: next.policy })),
      );
      calls.push(`PutKeyPolicy ${keyId}`);
    }
    return calls;
  }

  private async changeOwnership(
    bucket: string,
    objectOwnership: NonNullable<OwnershipControls['Rules']>[number]['ObjectOwnership'],
    account: string | undefined,
  ): Promise<string[]> {
    const calls: string[] = [];
    const { s3 } = await this.clientsIn(account);
    const before = await this.ownershipControls(bucket, s3);
    calls.push(`GetBucketOwnershipControls ${bucket}`);
    if (before?.Rules?.[0]?.ObjectOwnership !== objectOwnership) {
      await this.snapshot({
        kind: 'ownership-controls',
        bucket,
        controls: before,
        ...(account ? { account } : {}),
      });
      await awsCall(`PutBucketOwnershipControls ${bucket}`, () =>
        s3.send(
          new PutBucketOwnershipControlsCommand({
            Bucket: bucket,
            OwnershipControls: { Rules: [{ ObjectOwnership: objectOwnership }] },
          }),
        ),
      );
      calls.push(`PutBucketOwnershipControls ${bucket}`);
    }
    return calls;
  }

  private async createOrReuseOac(oacName: string, bucket: string): Promise<{ id: string; calls: string[] }> {
    const calls: string[] = [];
    const found = await this.findSuitableOac(oacName);
    calls.push('ListOriginAccessControls');
    if (found.id) {
      calls.push(`reuse OAC ${found.id}`);
      return { id: found.id, calls };
    }
    const name = found.freeName;
    // Recorded before the call: if the snapshot cannot be written after it, the rollback still finds the OAC.
    if (!this.record.pendingOacs?.includes(name)) {
      this.record.pendingOacs = [...(this.record.pendingOacs ?? []), name];
      await this.save();
    }
    const created = await awsCall(`CreateOriginAccessControl ${name}`, () =>
      this.clients.cloudfront.send(
        new CreateOriginAccessControlCommand({
          OriginAccessControlConfig: {
            Name: name,
            Description: `${OAC_DESCRIPTION} for bucket ${bucket}`,
            SigningProtocol: 'sigv4',
            SigningBehavior: 'always',
            OriginAccessControlOriginType: 's3',
          },
        }),
      ),
    );
    const id = created.OriginAccessControl?.Id;
    if (!id) throw new ChangeConflictError('CreateOriginAccessControl returned no id');
    this.record.pendingOacs = (this.record.pendingOacs ?? []).filter((n) => n !== name);
    await this.snapshot({ kind: 'created-oac', oacId: id, ...(created.ETag ? { etag: created.ETag } : {}) });
    calls.push(`CreateOriginAccessControl ${name} → ${id}`);
    return { id, calls };
  }

  /** GetDistributionConfig → edit → UpdateDistribution(IfMatch); on PreconditionFailed read again and re-apply. */
  private async updateDistribution(
    id: string,
    edits: readonly DistributionEdit[],
    oacIds: Record<string, string>,
    functionArns: Record<string, string> = {},
  ): Promise<string[]> {
    const calls: string[] = [];
    await rereadOnConflict(async () => {
      const { config, etag } = await this.distributionConfig(id);
      calls.push(`GetDistributionConfig ${id}`);
      if (editsAreNoop(config, edits, oacIds, functionArns)) return;
      await this.snapshot({ kind: 'distribution-config', distributionId: id, config });
      try {
        await awsCall(`UpdateDistribution ${id}`, () =>
          this.clients.cloudfront.send(
            new UpdateDistributionCommand({
              Id: id,
              IfMatch: etag,
              DistributionConfig: applyDistributionEdits(config, edits, oacIds, functionArns),
            }),
          ),
        );
      } catch (err) {
        if (isPreconditionFailed(err))
          calls.push(`UpdateDistribution ${id}: PreconditionFailed, reading again`);
        throw err;
      }
      calls.push(`UpdateDistribution ${id} (IfMatch ${etag})`);
    });
    return calls;
  }

  private async distributionConfig(id: string): Promise<{ config: DistributionConfig; etag: string }> {
    const out = await awsCall(`GetDistributionConfig ${id}`, () =>
      this.clients.cloudfront.send(new GetDistributionConfigCommand({ Id: id })),
    );
    if (!out.DistributionConfig || !out.ETag)
      throw new ChangeConflictError(`GetDistributionConfig ${id} returned no config`);
    return { config: out.DistributionConfig, etag: out.ETag };
  }

  private async bucketPolicy(bucket: string, s3: S3Client): Promise<string | null> {
    try {
      return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null;
    } catch (err) {
      if (errorCode(err) === 'NoSuchBucketPolicy') return null;
      throw toStepError(err, `GetBucketPolicy ${bucket}`);
    }
  }

  private async ownershipControls(bucket: string, s3: S3Client): Promise<OwnershipControls | null> {
    try {
      return (
        (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls ?? null
      );
    } catch (err) {
      if (errorCode(err) === 'OwnershipControlsNotFoundError') return null;
      throw toStepError(err, `GetBucketOwnershipControls ${bucket}`);
    }
  }

  /** Every OAC of the account: ListOriginAccessControls pages by Marker until IsTruncated is false. */
  private async listOacs() {
    const items: OriginAccessControlSummary[] = [];
    let marker: string | undefined;
    do {
      const out = await awsCall('ListOriginAccessControls', () =>
        this.clients.cloudfront.send(new ListOriginAccessControlsCommand({ MaxItems: 100, Marker: marker })),
      );
      const list = out.OriginAccessControlList;
      items.push(...(list?.Items ?? []));
      marker = list?.IsTruncated ? list.NextMarker : undefined;
    } while (marker);
    return items;
  }

  /**
   * An OAC that already signs S3 requests always with sigv4 (the one named `preferred` first), else a name
   * for a new one that no existing OAC uses (a broken OAC may hold the preferred name).
   */
  private async findSuitableOac(preferred: string): Promise<{ id?: string; freeName: string }> {
    const items = await this.listOacs();
    const suitable = items.filter(
      (o) =>
        o.SigningProtocol === 'sigv4' &&
        o.SigningBehavior === 'always' &&
        o.OriginAccessControlOriginType === 's3',
    );
    const names = new Set(items.map((o) => o.Name));
    let freeName = preferred;
    for (let n = 2; names.has(freeName); n++) freeName = `${preferred.slice(0, 60)}-${n}`;
    return { id: (suitable.find((o) => o.Name === preferred) ?? suitable[0])?.Id, freeName };
  }

  /**
   * A CloudFront Function with this code, published (LIVE): one from an earlier attempt is reused, a name
   * someone else's function holds is skipped. The snapshot is written before CreateFunction, so a rollback
   * finds the function even when this step fails right after creating it.
   */
  private async createOrReuseFunction(
    preferred: string,
    comment: string,
    code: string,
  ): Promise<{ arn: string; calls: string[] }> {
    const calls: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const name = n === 1 ? preferred : `${preferred.slice(0, 61)}-${n}`;
      const existing = await this.describeFunction(name, 'DEVELOPMENT');
      calls.push(`DescribeFunction ${name}`);
      if (existing) {
        const ours = (existing.comment ?? '').startsWith(FUNCTION_COMMENT_PREFIX);
        if (!ours || (await this.functionCode(name)) !== code) continue;
        if (existing.stage !== 'LIVE' || existing.status === 'UNPUBLISHED') {
          await this.publishFunction(name, existing.etag);
          calls.push(`PublishFunction ${name}`);
        }
        calls.push(`reuse function ${name}`);
        return { arn: existing.arn, calls };
      }
      await this.snapshot({ kind: 'created-function', name });
      const created = await awsCall(`CreateFunction ${name}`, () =>
        this.clients.cloudfront.send(
          new CreateFunctionCommand({
            Name: name,
            FunctionConfig: { Comment: comment, Runtime: 'cloudfront-js-2.0' },
            FunctionCode: new TextEncoder().encode(code),
          }),
        ),
      );
      calls.push(`CreateFunction ${name}`);
      const arn = created.FunctionSummary?.FunctionMetadata?.FunctionARN;
      if (!arn || !created.ETag)
        throw new ChangeConflictError(`CreateFunction ${name} returned no ARN or ETag`);
      await this.publishFunction(name, created.ETag);
      calls.push(`PublishFunction ${name}`);
      return { arn, calls };
    }
    throw new ChangeConflictError(
      `functions ${preferred} to ${preferred}-5 exist and are not cf403's: none is free`,
    );
  }

  private async publishFunction(name: string, etag: string): Promise<void> {
    await awsCall(`PublishFunction ${name}`, () =>
      this.clients.cloudfront.send(new PublishFunctionCommand({ Name: name, IfMatch: etag })),
    );
  }

  private async functionCode(name: string): Promise<string> {
    const out = await awsCall(`GetFunction ${name}`, () =>
      this.clients.cloudfront.send(new GetFunctionCommand({ Name: name, Stage: 'DEVELOPMENT' })),
    );
    return out.FunctionCode ? new TextDecoder().decode(out.FunctionCode) : '';
  }

  /** The function's summary in a stage, or undefined when there is no such function. */
  private async describeFunction(
    name: string,
    stage: 'DEVELOPMENT' | 'LIVE',
  ): Promise<{ arn: string; etag: string; comment?: string; stage?: string; status?: string } | undefined> {
    try {
      const out = await this.clients.cloudfront.send(
        new DescribeFunctionCommand({ Name: name, Stage: stage }),
      );
      const summary = out.FunctionSummary;
      return {
        arn: summary?.FunctionMetadata?.FunctionARN ?? '',
        etag: out.ETag ?? '',
        comment: summary?.FunctionConfig?.Comment,
        stage: summary?.FunctionMetadata?.Stage,
        status: summary?.Status,
      };
    } catch (err) {
      if (errorCode(err) === 'NoSuchFunctionExists') return undefined;
      throw toStepError(err, `DescribeFunction ${name}`);
    }
  }

  /** Deletes a function cf403 created; one already gone counts as deleted, someone else's is left alone. */
  private async deleteFunction(name: string): Promise<boolean> {
    const found = await this.describeFunction(name, 'DEVELOPMENT');
    if (!found || !(found.comment ?? '').startsWith(FUNCTION_COMMENT_PREFIX)) return false;
    try {
      await this.clients.cloudfront.send(new DeleteFunctionCommand({ Name: name, IfMatch: found.etag }));
    } catch (err) {
      if (errorCode(err) === 'NoSuchFunctionExists') return false;
      throw toStepError(err, `DeleteFunction ${name}`);
    }
    return true;
  }

  /** The Lambda client of the function's region (from its ARN), else the step's own. */
  private async lambdaFor(functionName: string): Promise<LambdaClient> {
    const region = functionName.startsWith('arn:') ? functionName.split(':')[3] : undefined;
    const client =
      region && this.clients.lambdaIn ? await this.clients.lambdaIn(region) : this.clients.lambda;
    if (!client) throw new ChangeConflictError('this step has no Lambda client');
    return client;
  }

  /** AddPermission, unless the policy already holds an equivalent statement under that id. */
  private async addLambdaPermission(p: LambdaPermission): Promise<string[]> {
    const client = await this.lambdaFor(p.functionName);
    const calls: string[] = [];
    const current = await this.lambdaPolicy(client, p.functionName);
    calls.push(`GetPolicy ${p.functionName}`);
    const statements = (current?.Statement ?? []) as { Sid?: string }[];
    if (statements.some((st) => st.Sid === p.statementId)) {
      calls.push(`statement ${p.statementId} already there`);
      return calls;
    }
    await this.snapshot({
      kind: 'lambda-permission',
      functionName: p.functionName,
      statementId: p.statementId,
    });
    await awsCall(`AddPermission ${p.functionName}`, () =>
      client.send(
        new AddPermissionCommand({
          FunctionName: p.functionName,
          StatementId: p.statementId,
          Action: p.action,
          Principal: p.principal,
          SourceArn: p.sourceArn,
          ...(p.functionUrlAuthType ? { FunctionUrlAuthType: p.functionUrlAuthType } : {}),
          ...(p.invokedViaFunctionUrl !== undefined
            ? { InvokedViaFunctionUrl: p.invokedViaFunctionUrl }
            : {}),
        }),
      ),
    );
    calls.push(`AddPermission ${p.functionName} ${p.statementId} (${p.action})`);
    return calls;
  }

  private async lambdaPolicy(
    client: LambdaClient,
    functionName: string,
  ): Promise<{ Statement?: unknown[] } | null> {
    try {
      const out = await client.send(new GetPolicyCommand({ FunctionName: functionName }));
      return out.Policy ? (JSON.parse(out.Policy) as { Statement?: unknown[] }) : null;
    } catch (err) {
      if (errorCode(err) === 'ResourceNotFoundException') return null;
      throw toStepError(err, `GetPolicy ${functionName}`);
    }
  }

  /** Removes a statement this execution added; one already gone counts as removed. */
  private async removeLambdaPermission(functionName: string, statementId: string): Promise<boolean> {
    const client = await this.lambdaFor(functionName);
    try {
      await client.send(
        new RemovePermissionCommand({ FunctionName: functionName, StatementId: statementId }),
      );
    } catch (err) {
      if (errorCode(err) === 'ResourceNotFoundException') return false;
      throw toStepError(err, `RemovePermission ${functionName}`);
    }
    return true;
  }

  /**
   * Restores every snapshot, newest first. Each restore reads the resource first and writes only when it
   * differs, so a retried rollback finishes what an earlier attempt started. One failed restore does not stop
   * the others; the error names each resource that is not back. Safe to run twice: a finished rollback is
   * recorded. `planned`: descriptions of the planned changes, named when the snapshots cannot be read.
   */
  async rollback(planned: readonly string[] = []): Promise<RollbackResult> {
    let saved: SnapshotRecord | undefined;
    try {
      saved = await this.artifacts.find<SnapshotRecord>(this.snapshotKey);
    } catch (err) {
      const mayRemain = planned.length ? `; changes that may still be in place: ${planned.join(' / ')}` : '';
      const msg = `rollback incomplete: could not read the snapshots at ${this.where()}, nothing was restored: ${(err as Error)?.message ?? String(err)}${mayRemain}`;
      if (isRetryable(err)) throw new RetryableAwsError(msg, { cause: err });
      throw new RollbackIncompleteError(msg, { cause: err });
    }
    if (!saved || saved.rolledBack) return { restored: [], distributionChanged: false };
    const restored: string[] = [];
    const failures: { what: string; error: unknown }[] = [];
    /** `fn` resolves false when there turned out to be nothing to restore. */
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        if ((await rereadOnConflict(fn)) !== false) restored.push(what);
      } catch (error) {
        failures.push({ what, error });
      }
    };
    for (const s of [...saved.snapshots].reverse()) {
      const what = describeSnapshot(s);
      switch (s.kind) {
        case 'distribution-config':
          await attempt(`${what} restored`, () => this.restoreDistribution(s.distributionId, s.config));
          break;
        case 'bucket-policy':
          await attempt(`${what} restored`, () => this.restoreBucketPolicy(s.bucket, s.policy, s.account));
          break;
        case 'key-policy':
          await attempt(`${what} restored`, () => this.restoreKeyPolicy(s.keyId, s.policy, s.account));
          break;
        case 'ownership-controls':
          await attempt(`${what} restored`, () => this.restoreOwnership(s.bucket, s.controls, s.account));
          break;
        case 'created-oac': {
          // the ETag from its creation on the first try only; a re-read after a conflict gets a fresh one
          let etag = s.etag;
          await attempt(`${what} deleted`, () => {
            const known = etag;
            etag = undefined;
            return this.deleteOac(s.oacId, known);
          });
          break;
        }
        case 'created-function':
          await attempt(`${what} deleted`, () => this.deleteFunction(s.name));
          break;
        case 'lambda-permission':
          await attempt(`${what} removed`, () => this.removeLambdaPermission(s.functionName, s.statementId));
          break;
      }
    }
    // OACs whose creation was under way when a step failed: created by us only if our name is there.
    for (const name of saved.pendingOacs ?? []) {
      await attempt(`OAC '${name}' (creation interrupted) removed`, async () => {
        const found = (await this.listOacs()).find(
          (o) => o.Name === name && (o.Description ?? '').startsWith(OAC_DESCRIPTION),
        );
        if (!found?.Id) return false;
        await this.deleteOac(found.Id);
        return true;
      });
    }
    const distributionChanged = saved.snapshots.some((s) => s.kind === 'distribution-config');
    if (failures.length > 0) {
      const detail = failures
        .map(
          (f) =>
            `${f.what.replace(/ (restored|deleted|removed)$/, '')}: ${(f.error as Error)?.message ?? String(f.error)}`,
        )
        .join('; ');
      const msg =
        `rollback incomplete: could not restore ${detail}` +
        `${restored.length ? `; restored: ${restored.join(', ')}` : ''}; snapshots kept at ${this.where()}`;
      // Throttling or 5xx: the state machine runs the rollback again, which resumes where this one stopped.
      if (failures.some((f) => isRetryable(f.error)))
        throw new RetryableAwsError(msg, { cause: failures[0]?.error });
      throw new RollbackIncompleteError(msg, { cause: failures[0]?.error });
    }
    // The marker only saves a second rollback its reads: every restore above is already idempotent.
    try {
      await this.artifacts.put(this.snapshotKey, { ...saved, rolledBack: true });
    } catch {
      // a rollback that runs again finds everything in place
    }
    return { restored, distributionChanged };
  }

  private async restoreDistribution(id: string, config: DistributionConfig): Promise<void> {
    const current = await this.distributionConfig(id);
    if (canonical(current.config) === canonical(config)) return;
    await awsCall(`UpdateDistribution ${id} (rollback)`, () =>
      this.clients.cloudfront.send(
        new UpdateDistributionCommand({ Id: id, IfMatch: current.etag, DistributionConfig: config }),
      ),
    );
  }

  private async restoreBucketPolicy(bucket: string, policy: string | null, account?: string): Promise<void> {
    const { s3 } = await this.clientsIn(account);
    // When the current policy cannot be read, write the snapshot anyway: the write is what matters.
    const current = await this.bucketPolicy(bucket, s3).catch(() => undefined);
    if (current === policy) return;
    if (policy === null) {
      await awsCall(`DeleteBucketPolicy ${bucket}`, () =>
        s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })),
      );
    } else {
      await awsCall(`PutBucketPolicy ${bucket}`, () =>
        s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy })),
      );
    }
  }

  private async restoreKeyPolicy(keyId: string, policy: string, account?: string): Promise<void> {
    const kms = await this.kmsFor(keyId, account);
    const current = await kms
      .send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))
      .then((out) => out.Policy)
      .catch(() => undefined);
    if (current === policy) return;
    await awsCall(`PutKeyPolicy ${keyId}`, () =>
      kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: policy })),
    );
  }

  private async restoreOwnership(
    bucket: string,
    controls: OwnershipControls | null,
    account?: string,
  ): Promise<void> {
    const { s3 } = await this.clientsIn(account);
    const current = await this.ownershipControls(bucket, s3).catch(() => undefined);
    if (current !== undefined && canonical(current) === canonical(controls)) return;
    if (controls === null) {
      await awsCall(`DeleteBucketOwnershipControls ${bucket}`, () =>
        s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket })),
      );
    } else {
      await awsCall(`PutBucketOwnershipControls ${bucket}`, () =>
        s3.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: controls })),
      );
    }
  }

  /**
   * Deletes an OAC this execution created; one already gone counts as deleted. `knownEtag` (from its
   * creation) saves the read; a stale one fails with PreconditionFailed and the caller reads again.
   */
  private async deleteOac(id: string, knownEtag?: string): Promise<void> {
    let etag = knownEtag;
    if (etag === undefined) {
      try {
        etag = (await this.clients.cloudfront.send(new GetOriginAccessControlCommand({ Id: id }))).ETag;
      } catch (err) {
        if (errorCode(err) === 'NoSuchOriginAccessControl') return;
        throw toStepError(err, `GetOriginAccessControl ${id}`);
      }
    }
    try {
      await this.clients.cloudfront.send(new DeleteOriginAccessControlCommand({ Id: id, IfMatch: etag }));
    } catch (err) {
      if (errorCode(err) === 'NoSuchOriginAccessControl') return;
      throw toStepError(err, `DeleteOriginAccessControl ${id}`);
    }
  }
}
