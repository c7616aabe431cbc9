// An ArtifactStore in memory, for the executor's tests: what it keeps is readable back as JSON, as from S3.
import type { ArtifactRef, ArtifactStore } from '../../../functions/adapters/artifacts.ts';

export class MemoryStore implements ArtifactStore {
  readonly items = new Map<string, string>();
  async put(key: string, data: unknown): Promise<ArtifactRef> {
    this.items.set(key, JSON.stringify(data));
    return { bucket: 'mem', key };
  }
  async get<T>(ref: ArtifactRef): Promise<T> {
    const v = this.items.get(ref.key);
    if (v === undefined) throw new Error('missing');
    return JSON.parse(v) as T;
  }
  async find<T>(key: string): Promise<T | undefined> {
    const v = this.items.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
}
