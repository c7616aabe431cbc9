import { CloudFrontServiceException } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import {
  awsCall,
  isAccessDenied,
  isPreconditionFailed,
  retrying,
  retryingClient,
  retryingClients,
} from '../../../functions/adapters/aws-call.ts';
import { AwsAccessDeniedError, RetryableAwsError } from '../../../functions/errors.ts';

const sdkError = (name: string, status: number) =>
  new CloudFrontServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

const policy = (waits: number[]) => ({
  attempts: 4,
  baseMs: 100,
  capMs: 1000,
  random: () => 1,
  sleep: async (ms: number) => {
    waits.push(ms);
  },
});

describe('in-process retries', () => {
  it('retries throttling with exponential backoff until it passes', async () => {
    const waits: number[] = [];
    let calls = 0;
    const out = await retrying(policy(waits), async () => {
      if (++calls < 4) throw sdkError('Throttling', 400);
      return 'ok';
    });
    expect(out).toBe('ok');
    expect(waits).toEqual([100, 200, 400]);
  });

  it('gives up after the last attempt, and never retries what retrying cannot fix', async () => {
    const waits: number[] = [];
    await expect(
      retrying(policy(waits), () => Promise.reject(sdkError('ServiceUnavailable', 503))),
    ).rejects.toThrow('ServiceUnavailable');
    expect(waits).toHaveLength(3);
    const denied: number[] = [];
    await expect(
      retrying(policy(denied), () => Promise.reject(sdkError('AccessDenied', 403))),
    ).rejects.toThrow();
    expect(denied).toEqual([]);
  });

  it('wraps a client so every send is retried, leaving the client itself alone', async () => {
    let calls = 0;
    const client = {
      region: 'us-east-1',
      async send(x: number) {
        if (++calls === 1) throw sdkError('Throttling', 400);
        return x * 2;
      },
    };
    const wrapped = retryingClient(client, policy([]));
    expect(await wrapped.send(21)).toBe(42);
    expect(wrapped.region).toBe('us-east-1');
    calls = 0;
    await expect(client.send(1)).rejects.toThrow('Throttling');
  });
});

describe('retried client sets', () => {
  it('touches no client until it is used, as Lambda steps throw for clients they did not declare', async () => {
    let calls = 0;
    const s3 = {
      async send() {
        if (++calls === 1) throw sdkError('ServiceUnavailable', 503);
        return 'ok';
      },
    };
    const kms = {
      async send() {
        return 'kms';
      },
    };
    const clients = {
      s3,
      get cloudfront(): never {
        throw new Error('the cloudfront client was not declared for this step');
      },
      kmsIn: async (_region: string) => kms,
    };
    const wrapped = retryingClients(clients, policy([]));
    expect(await wrapped.s3.send()).toBe('ok');
    expect(calls).toBe(2);
    expect(wrapped.s3).toBe(wrapped.s3);
    expect(await (await wrapped.kmsIn('eu-west-1')).send()).toBe('kms');
    expect(() => wrapped.cloudfront).toThrow(/not declared/);
  });
});

describe('error mapping', () => {
  it('keeps a step error as it is, and sees the AWS code behind it', async () => {
    const inner = await awsCall('UpdateDistribution E1', () =>
      Promise.reject(sdkError('PreconditionFailed', 412)),
    ).catch((e: unknown) => e);
    expect(isPreconditionFailed(inner)).toBe(true);
    const outer = await awsCall('again', () => Promise.reject(inner)).catch((e: unknown) => e);
    expect(outer).toBe(inner);
    const throttled = await awsCall('x', () => Promise.reject(sdkError('Throttling', 400))).catch(
      (e: unknown) => e,
    );
    expect(throttled).toBeInstanceOf(RetryableAwsError);
  });

  it("treats SNS's AuthorizationErrorException as access denied", async () => {
    const e = await awsCall('Publish', () =>
      Promise.reject(sdkError('AuthorizationErrorException', 403)),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AwsAccessDeniedError);
    expect(isAccessDenied(e)).toBe(true);
  });
});
