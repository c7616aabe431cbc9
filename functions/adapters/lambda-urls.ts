// Which Lambda function is behind a function URL origin, and its resource policy. A function URL's domain
// names its region but not its function, so the functions of that region are listed and their URLs
// compared (ListFunctions, then ListFunctionUrlConfigs per function: AWS Lambda API Reference). Read-only.
import type { Origin } from '@aws-sdk/client-cloudfront';
import {
  GetPolicyCommand,
  type LambdaClient,
  ListFunctionsCommand,
  ListFunctionUrlConfigsCommand,
} from '@aws-sdk/client-lambda';
import type { Evidence, LambdaUrlEvidence, Readable } from '../domain/types.ts';
import { errorCode } from './aws-call.ts';
import type { AwsClients } from './clients.ts';

type Calls = Evidence['calls'];

const LAMBDA_URL = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

/** The region a function URL domain names, or undefined for any other domain. */
export function lambdaUrlRegion(domain: string): string | undefined {
  return LAMBDA_URL.exec(domain.toLowerCase().replace(/\.$/, ''))?.[1];
}

/** Pages through the functions of a region; bounded, so an account with thousands stays a few calls. */
const MAX_PAGES = 20;

function failed(code: string, message: string): Readable<LambdaUrlEvidence> {
  return { ok: false, code, message };
}

async function record<T>(calls: Calls, api: string, target: string, fn: () => Promise<T>): Promise<T> {
  try {
    const out = await fn();
    calls.push({ api, target, ok: true });
    return out;
  } catch (err) {
    calls.push({ api, target, ok: false, code: errorCode(err) });
    throw err;
  }
}

async function find(client: LambdaClient, calls: Calls, host: string): Promise<Readable<LambdaUrlEvidence>> {
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await record(calls, 'ListFunctions', host, () =>
      client.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 50 })),
    );
    const names = (listed.Functions ?? []).map((f) => f.FunctionArn ?? f.FunctionName ?? '').filter(Boolean);
    const urls = await Promise.all(
      names.map((name) =>
        record(calls, 'ListFunctionUrlConfigs', name, () =>
          client.send(new ListFunctionUrlConfigsCommand({ FunctionName: name })),
        ).catch(() => undefined),
      ),
    );
    for (const out of urls) {
      const config = (out?.FunctionUrlConfigs ?? []).find(
        (c) => new URL(c.FunctionUrl ?? 'https://invalid').hostname.toLowerCase() === host,
      );
      if (!config?.FunctionArn) continue;
      const functionArn = config.FunctionArn;
      let policy: Readable<string | null>;
      try {
        const got = await record(calls, 'GetPolicy', functionArn, () =>
          client.send(new GetPolicyCommand({ FunctionName: functionArn })),
        );
        policy = { ok: true, value: got.Policy ?? null };
      } catch (err) {
        const code = errorCode(err);
        // A function without a resource policy answers ResourceNotFoundException.
        policy =
          code === 'ResourceNotFoundException'
            ? { ok: true, value: null }
            : { ok: false, code, message: (err as Error)?.message ?? String(err) };
      }
      return { ok: true, value: { functionArn, authType: config.AuthType ?? 'AWS_IAM', policy } };
    }
    marker = listed.NextMarker;
    if (!marker) break;
  }
  return failed('FunctionUrlNotFound', `no function in this account has the URL https://${host}/`);
}

/** Evidence for every function URL origin, by origin id; none when no origin is a function URL. */
export async function collectLambdaUrls(
  clients: AwsClients,
  calls: Calls,
  origins: readonly Origin[],
): Promise<Record<string, Readable<LambdaUrlEvidence>>> {
  const out: Record<string, Readable<LambdaUrlEvidence>> = {};
  const targets = origins.filter((o) => lambdaUrlRegion(o.DomainName ?? '') !== undefined);
  if (targets.length === 0) return out;
  await Promise.all(
    targets.map(async (o) => {
      const host = (o.DomainName ?? '').toLowerCase();
      const region = lambdaUrlRegion(host) ?? '';
      let client: LambdaClient | undefined;
      try {
        client = clients.lambdaIn ? await clients.lambdaIn(region) : clients.lambda;
      } catch (err) {
        out[o.Id ?? ''] = failed(errorCode(err) || 'NoLambdaClient', (err as Error)?.message ?? String(err));
        return;
      }
      if (!client) {
        out[o.Id ?? ''] = failed('NoLambdaClient', 'this step has no Lambda client');
        return;
      }
      try {
        out[o.Id ?? ''] = await find(client, calls, host);
      } catch (err) {
        out[o.Id ?? ''] = failed(errorCode(err) || 'Error', (err as Error)?.message ?? String(err));
      }
    }),
  );
  return out;
}
