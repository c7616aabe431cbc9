// A loopback HTTP server standing in for AWS endpoints (AWS_ENDPOINT_URL / --endpoint-url point at it), and a
// sandboxed AWS environment, so the CLI's real SDK clients can be driven end to end without any network.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../../cli/main.ts';

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** the SigV4 credential scope's region and service */
  region: string;
  service: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface FakeAws {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export async function fakeAws(answer: (req: FakeRequest) => FakeResponse): Promise<FakeAws> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
      const r: FakeRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf-8'),
        region: scope?.[1] ?? '',
        service: scope?.[2] ?? '',
      };
      requests.push(r);
      const out = answer(r);
      res.writeHead(out.status, { 'x-amz-request-id': 'fake-request', ...out.headers });
      res.end(out.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** CloudFront's REST-XML error body (https://docs.aws.amazon.com/cloudfront/latest/APIReference/CommonErrors.html). */
export function cloudFrontError(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`,
  };
}

/** A JSON-protocol error (SSM, KMS, WAF). */
export function jsonError(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: code, message }),
  };
}

const AWS_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_CLOUDFRONT',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
];

export interface Sandbox {
  home: string;
  configFile: string;
}

/**
 * A clean AWS environment: no credentials, a private HOME and config files, the instance metadata service
 * off (the default chain would otherwise try 169.254.169.254), one attempt per call (no SDK back-off).
 */
export function sandbox(config = '', env: Record<string, string> = {}): Sandbox {
  const home = mkdtempSync(join(tmpdir(), 'cf403-cli-home-'));
  mkdirSync(join(home, '.aws'), { recursive: true });
  const configFile = join(home, '.aws', 'config');
  writeFileSync(configFile, config);
  writeFileSync(join(home, '.aws', 'credentials'), '');
  for (const name of AWS_VARIABLES) vi.stubEnv(name, undefined);
  vi.stubEnv('HOME', home);
  vi.stubEnv('AWS_CONFIG_FILE', configFile);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home, '.aws', 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return { home, configFile };
}

/** Static test credentials in the environment. */
export const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in-process with captured output; `tty` makes stderr look like a terminal. */
export async function cli(args: string[], opts: { tty?: boolean } = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { isTTY: opts.tty ?? false, columns: 200, write: (s: string) => err.push(s) },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** No stack frame anywhere in the text. */
export const STACK_FRAME = /\n\s+at .+:\d+:\d+/;
