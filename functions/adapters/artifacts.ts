// Large artifacts (evidence, plans, snapshots) live in S3; the state carries only a pointer.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ArtifactNotFoundError } from '../errors.ts';
import { awsCall, errorCode } from './aws-call.ts';

export interface ArtifactRef {
  bucket: string;
  key: string;
}

export interface ArtifactStore {
  put(key: string, data: unknown): Promise<ArtifactRef>;
  get<T>(ref: ArtifactRef): Promise<T>;
  /** undefined when no artifact exists at that key */
  find<T>(key: string): Promise<T | undefined>;
  /** where the artifact at `key` lives, for messages a person acts on */
  locate?(key: string): string;
}

export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, data: unknown): Promise<ArtifactRef> {
    await awsCall(`PutObject s3://${this.bucket}/${key}`, () =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: JSON.stringify(data),
          ContentType: 'application/json',
          ServerSideEncryption: 'AES256',
        }),
      ),
    );
    return { bucket: this.bucket, key };
  }

  async get<T>(ref: ArtifactRef): Promise<T> {
    const found = await this.read<T>(ref.bucket, ref.key);
    if (found === undefined)
      throw new ArtifactNotFoundError(`artifact s3://${ref.bucket}/${ref.key} does not exist`);
    return found;
  }

  find<T>(key: string): Promise<T | undefined> {
    return this.read<T>(this.bucket, key);
  }

  locate(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private async read<T>(bucket: string, key: string): Promise<T | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = await out.Body?.transformToString('utf-8');
      return text === undefined ? undefined : (JSON.parse(text) as T);
    } catch (err) {
      if (errorCode(err) === 'NoSuchKey' || errorCode(err) === 'NotFound') return undefined;
      return awsCall(`GetObject s3://${bucket}/${key}`, () => Promise.reject(err));
    }
  }
}

export function executionKey(executionName: string, artifact: string): string {
  return `executions/${executionName.replace(/[^A-Za-z0-9._-]/g, '_')}/${artifact}.json`;
}
