// Applies a plan's changes with a snapshot before each one, and restores those snapshots exactly.

import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import {
  CreateOriginAccessControlCommand,
  DeleteOriginAccessControlCommand,
  GetDistributionConfigCommand,
  GetOriginAccessControlCommand,
  ListOriginAccessControlsCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { applyDistributionEdits, editsAreNoop } from '../domain/edits.ts';
import { mergeStatement, replaceStatement } from '../domain/policy/merge.ts';
import type { Action, AppliedChange, DistributionEdit, Snapshot } from '../domain/types.ts';
import { ChangeConflictError } from '../errors.ts';
import type { ArtifactStore } from './artifacts.ts';
import { awsCall, errorCode } from './aws-call.ts';
import type { AwsClients } from './clients.ts';

export interface ApplyResult {
  applied: AppliedChange[];
  /** the distribution config changed (or a pending deployment must finish) before verification */
  waitForDeployment: boolean;
  distributionChanged: boolean;
  snapshots: number;
}

const PRECONDITION_RETRIES = 3;

export class ChangeExecutor {
  private snapshots: Snapshot[] = [];

  constructor(
    private readonly clients: AwsClients,
    private readonly artifacts: ArtifactStore,
    /** artifact key of this execution's snapshots */
    private readonly snapshotKey: string,
  ) {}

  /** Records the snapshot durably before the change it protects is made. */
  private async snapshot(s: Snapshot): Promise<void> {
    this.snapshots.push(s);
    await this.artifacts.put(this.snapshotKey, { snapshots: this.snapshots, rolledBack: false });
  }

  async apply(distributionId: string, actions: readonly Action[]): Promise<ApplyResult> {
    const existing = await this.artifacts.find<{ snapshots: Snapshot[] }>(this.snapshotKey);
    this.snapshots = existing?.snapshots ?? [];
    const applied: AppliedChange[] = [];
    const oacIds: Record<string, string> = {};
    const distEdits: { action: Action; edits: DistributionEdit[] }[] = [];
    let waitForDeployment = false;
    // Bucket and key policies first, then OACs, then one distribution update carrying every edit:
    // CloudFront starts signing only once the grant is already in place.
    const order = (a: Action) =>
      a.change?.type === 'create-or-reuse-oac' ? 1 : a.change?.type === 'update-distribution' ? 2 : 0;
    for (const action of [...actions].sort((a, b) => order(a) - order(b))) {
      const change = action.change;
      if (!change) continue;
      const calls: string[] = [];
      switch (change.type) {
        case 'merge-bucket-policy-statement':
        case 'replace-bucket-policy-statement': {
          const before = await this.bucketPolicy(change.bucket);
          const next =
            change.type === 'merge-bucket-policy-statement'
              ? mergeStatement(before, change.statement)
              : replaceStatement(before ?? '', change.index, change.statement);
          calls.push(`GetBucketPolicy ${change.bucket}`);
          if (next.changed) {
            await this.snapshot({ kind: 'bucket-policy', bucket: change.bucket, policy: before });
            await awsCall(`PutBucketPolicy ${change.bucket}`, () =>
              this.clients.s3.send(
                new PutBucketPolicyCommand({ Bucket: change.bucket, Policy: next.policy }),
              ),
            );
            calls.push(`PutBucketPolicy ${change.bucket}`);
          }
          break;
        }
        case 'merge-key-policy-statement': {
          const out = await awsCall(`GetKeyPolicy ${change.keyId}`, () =>
            this.clients.kms.send(new GetKeyPolicyCommand({ KeyId: change.keyId, PolicyName: 'default' })),
          );
          const before = out.Policy ?? '';
          const next = mergeStatement(before, change.statement);
          calls.push(`GetKeyPolicy ${change.keyId}`);
          if (next.changed) {
            await this.snapshot({ kind: 'key-policy', keyId: change.keyId, policy: before });
            await awsCall(`PutKeyPolicy ${change.keyId}`, () =>
              this.clients.kms.send(
                new PutKeyPolicyCommand({ KeyId: change.keyId, PolicyName: 'default', Policy: next.policy }),
              ),
            );
            calls.push(`PutKeyPolicy ${change.keyId}`);
          }
          break;
        }
        case 'put-ownership-controls': {
          const before = await this.ownershipControls(change.bucket);
          calls.push(`GetBucketOwnershipControls ${change.bucket}`);
          if (before?.Rules?.[0]?.ObjectOwnership !== change.objectOwnership) {
            await this.snapshot({ kind: 'ownership-controls', bucket: change.bucket, controls: before });
            await awsCall(`PutBucketOwnershipControls ${change.bucket}`, () =>
              this.clients.s3.send(
                new PutBucketOwnershipControlsCommand({
                  Bucket: change.bucket,
                  OwnershipControls: { Rules: [{ ObjectOwnership: change.objectOwnership }] },
                }),
              ),
            );
            calls.push(`PutBucketOwnershipControls ${change.bucket}`);
          }
          break;
        }
        case 'create-or-reuse-oac': {
          const found = await this.findSuitableOac(change.oacName);
          calls.push('ListOriginAccessControls');
          if (found.id) {
            oacIds[change.originId] = found.id;
            calls.push(`reuse OAC ${found.id}`);
          } else {
            const name = found.freeName;
            const created = await awsCall(`CreateOriginAccessControl ${name}`, () =>
              this.clients.cloudfront.send(
                new CreateOriginAccessControlCommand({
                  OriginAccessControlConfig: {
                    Name: name,
                    Description: `Created by cf403 for bucket ${change.bucket}`,
                    SigningProtocol: 'sigv4',
                    SigningBehavior: 'always',
                    OriginAccessControlOriginType: 's3',
                  },
                }),
              ),
            );
            const id = created.OriginAccessControl?.Id;
            if (!id) throw new ChangeConflictError('CreateOriginAccessControl returned no id');
            await this.snapshot({ kind: 'created-oac', oacId: id });
            oacIds[change.originId] = id;
            calls.push(`CreateOriginAccessControl ${name} → ${id}`);
          }
          break;
        }
        case 'update-distribution':
          distEdits.push({ action, edits: change.edits });
          continue;
        case 'wait-for-deployment':
          waitForDeployment = true;
          calls.push(`GetDistribution ${change.distributionId} (wait for Deployed)`);
          break;
      }
      applied.push({ actionId: action.id, description: action.description, calls });
    }
    let distributionChanged = false;
    if (distEdits.length > 0) {
      const edits = distEdits.flatMap((d) => d.edits);
      const calls = await this.updateDistribution(distributionId, edits, oacIds);
      distributionChanged = calls.some((c) => c.startsWith('UpdateDistribution'));
      for (const d of distEdits)
        applied.push({ actionId: d.action.id, description: d.action.description, calls });
    }
    return {
      applied,
      waitForDeployment: waitForDeployment || distributionChanged,
      distributionChanged,
      snapshots: this.snapshots.length,
    };
  }

  /** GetDistributionConfig → edit → UpdateDistribution(IfMatch); on PreconditionFailed read again and re-apply. */
  private async updateDistribution(
    id: string,
    edits: readonly DistributionEdit[],
    oacIds: Record<string, string>,
  ): Promise<string[]> {
    const calls: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const { config, etag } = await this.distributionConfig(id);
      calls.push(`GetDistributionConfig ${id}`);
      if (editsAreNoop(config, edits, oacIds)) return calls;
      if (!this.snapshots.some((s) => s.kind === 'distribution-config' && s.distributionId === id)) {
        await this.snapshot({ kind: 'distribution-config', distributionId: id, config });
      }
      try {
        await this.clients.cloudfront.send(
          new UpdateDistributionCommand({
            Id: id,
            IfMatch: etag,
            DistributionConfig: applyDistributionEdits(config, edits, oacIds),
          }),
        );
        calls.push(`UpdateDistribution ${id} (IfMatch ${etag})`);
        return calls;
      } catch (err) {
        if (errorCode(err) === 'PreconditionFailed' && attempt < PRECONDITION_RETRIES) {
          calls.push(`UpdateDistribution ${id}: PreconditionFailed, reading again`);
          continue;
        }
        return awsCall(`UpdateDistribution ${id}`, () => Promise.reject(err));
      }
    }
  }

  private async distributionConfig(id: string): Promise<{ config: DistributionConfig; etag: string }> {
    const out = await awsCall(`GetDistributionConfig ${id}`, () =>
      this.clients.cloudfront.send(new GetDistributionConfigCommand({ Id: id })),
    );
    if (!out.DistributionConfig || !out.ETag)
      throw new ChangeConflictError(`GetDistributionConfig ${id} returned no config`);
    return { config: out.DistributionConfig, etag: out.ETag };
  }

  private async bucketPolicy(bucket: string): Promise<string | null> {
    try {
      return (await this.clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null;
    } catch (err) {
      if (errorCode(err) === 'NoSuchBucketPolicy') return null;
      return awsCall(`GetBucketPolicy ${bucket}`, () => Promise.reject(err));
    }
  }

  private async ownershipControls(bucket: string) {
    try {
      return (
        (await this.clients.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })))
          .OwnershipControls ?? null
      );
    } catch (err) {
      if (errorCode(err) === 'OwnershipControlsNotFoundError') return null;
      return awsCall(`GetBucketOwnershipControls ${bucket}`, () => Promise.reject(err));
    }
  }

  /**
   * An OAC that already signs S3 requests always with sigv4 (the one named `preferred` first), else a name
   * for a new one that no existing OAC uses (a broken OAC may hold the preferred name).
   */
  private async findSuitableOac(preferred: string): Promise<{ id?: string; freeName: string }> {
    const out = await awsCall('ListOriginAccessControls', () =>
      this.clients.cloudfront.send(new ListOriginAccessControlsCommand({ MaxItems: 100 })),
    );
    const items = out.OriginAccessControlList?.Items ?? [];
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

  /** Restores every snapshot, newest first. Safe to run twice: a finished rollback is recorded. */
  async rollback(): Promise<{ restored: string[]; distributionChanged: boolean }> {
    const saved = await this.artifacts.find<{ snapshots: Snapshot[]; rolledBack: boolean }>(this.snapshotKey);
    if (!saved || saved.rolledBack) return { restored: [], distributionChanged: false };
    const restored: string[] = [];
    let distributionChanged = false;
    for (const s of [...saved.snapshots].reverse()) {
      switch (s.kind) {
        case 'distribution-config': {
          for (let attempt = 0; ; attempt++) {
            const { etag } = await this.distributionConfig(s.distributionId);
            try {
              await this.clients.cloudfront.send(
                new UpdateDistributionCommand({
                  Id: s.distributionId,
                  IfMatch: etag,
                  DistributionConfig: s.config,
                }),
              );
              break;
            } catch (err) {
              if (errorCode(err) === 'PreconditionFailed' && attempt < PRECONDITION_RETRIES) continue;
              return awsCall(`UpdateDistribution ${s.distributionId} (rollback)`, () => Promise.reject(err));
            }
          }
          distributionChanged = true;
          restored.push(`distribution ${s.distributionId} config restored`);
          break;
        }
        case 'bucket-policy':
          if (s.policy === null) {
            await awsCall(`DeleteBucketPolicy ${s.bucket}`, () =>
              this.clients.s3.send(new DeleteBucketPolicyCommand({ Bucket: s.bucket })),
            );
          } else {
            const policy = s.policy;
            await awsCall(`PutBucketPolicy ${s.bucket}`, () =>
              this.clients.s3.send(new PutBucketPolicyCommand({ Bucket: s.bucket, Policy: policy })),
            );
          }
          restored.push(`bucket ${s.bucket} policy restored`);
          break;
        case 'key-policy':
          await awsCall(`PutKeyPolicy ${s.keyId}`, () =>
            this.clients.kms.send(
              new PutKeyPolicyCommand({ KeyId: s.keyId, PolicyName: 'default', Policy: s.policy }),
            ),
          );
          restored.push(`key ${s.keyId} policy restored`);
          break;
        case 'ownership-controls':
          if (s.controls === null) {
            await awsCall(`DeleteBucketOwnershipControls ${s.bucket}`, () =>
              this.clients.s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: s.bucket })),
            );
          } else {
            const controls = s.controls;
            await awsCall(`PutBucketOwnershipControls ${s.bucket}`, () =>
              this.clients.s3.send(
                new PutBucketOwnershipControlsCommand({ Bucket: s.bucket, OwnershipControls: controls }),
              ),
            );
          }
          restored.push(`bucket ${s.bucket} ownership controls restored`);
          break;
        case 'created-oac': {
          const got = await awsCall(`GetOriginAccessControl ${s.oacId}`, () =>
            this.clients.cloudfront.send(new GetOriginAccessControlCommand({ Id: s.oacId })),
          );
          await awsCall(`DeleteOriginAccessControl ${s.oacId}`, () =>
            this.clients.cloudfront.send(
              new DeleteOriginAccessControlCommand({ Id: s.oacId, IfMatch: got.ETag }),
            ),
          );
          restored.push(`OAC ${s.oacId} deleted`);
          break;
        }
      }
    }
    await this.artifacts.put(this.snapshotKey, { snapshots: saved.snapshots, rolledBack: true });
    return { restored, distributionChanged };
  }
}
