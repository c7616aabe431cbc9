// Clients that act in another account of the organization: the hub assumes the member role there (STS
// AssumeRole) and builds the same clients with that session's credentials. The hub's own account keeps the
// step's own clients. The simulator builds this same class with clients wired to its simulated organization.
import type { AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_MEMBER_ROLE_NAME, memberRoleArn } from '../domain/accounts.ts';
import type { AwsClients } from './clients.ts';

/** Temporary credentials as the SDK's credential providers return them. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/** Where a step's calls go: its own clients in the hub account, the member role's session elsewhere. */
export interface AccountAccess {
  /** the hub's own account, when known (undefined: every account is treated as the hub's own) */
  readonly home: string | undefined;
  /** clients acting in `account` */
  clientsFor(account: string): Promise<AwsClients>;
}

/** AssumeRole into a member account failed (not a member, role missing, trust refused, throttled). */
export class MemberAccessError extends Error {
  override name = 'MemberAccessError';
}

export interface StsAccountAccessOptions {
  readonly home: string | undefined;
  /** the hub's own clients (used for `home`) */
  readonly own: AwsClients;
  readonly sts: STSClient;
  /** @default DEFAULT_MEMBER_ROLE_NAME */
  readonly roleName?: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** the session name CloudTrail shows in the member account (memberSessionName) */
  readonly sessionName: string;
  /** builds the clients of one member account from its session's credentials */
  readonly makeClients: (
    account: string,
    credentials: () => Promise<SessionCredentials>,
  ) => Promise<AwsClients>;
  /** the simulated or real clock, to renew a session before it expires */
  readonly now?: () => Date;
}

/** STS sessions last 15 minutes at least (AssumeRole `DurationSeconds` minimum 900); renew a minute early. */
const SESSION_SECONDS = 900;
const RENEW_BEFORE_MS = 60_000;

/** AccountAccess through STS AssumeRole into each member account's member role, one session per account. */
export class StsAccountAccess implements AccountAccess {
  readonly home: string | undefined;
  private readonly byAccount = new Map<string, Promise<AwsClients>>();
  private readonly sessions = new Map<string, SessionCredentials>();
  /** AssumeRole calls in flight: clients asking at once share one session */
  private readonly pending = new Map<string, Promise<SessionCredentials>>();

  constructor(private readonly opts: StsAccountAccessOptions) {
    this.home = opts.home;
  }

  clientsFor(account: string): Promise<AwsClients> {
    if (this.home === undefined || account === this.home) return Promise.resolve(this.opts.own);
    const existing = this.byAccount.get(account);
    if (existing) return existing;
    const made = this.opts.makeClients(account, () => this.credentials(account));
    this.byAccount.set(account, made);
    // a failed build is not cached: the next call tries again
    made.catch(() => this.byAccount.delete(account));
    return made;
  }

  private credentials(account: string): Promise<SessionCredentials> {
    const now = (this.opts.now ?? (() => new Date()))().getTime();
    const held = this.sessions.get(account);
    if (held?.expiration && held.expiration.getTime() - RENEW_BEFORE_MS > now) return Promise.resolve(held);
    const inFlight = this.pending.get(account);
    if (inFlight) return inFlight;
    const assumed = this.assume(account).finally(() => this.pending.delete(account));
    this.pending.set(account, assumed);
    return assumed;
  }

  private async assume(account: string): Promise<SessionCredentials> {
    const roleArn = memberRoleArn(
      account,
      this.opts.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
      this.opts.partition,
    );
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    let out: AssumeRoleCommandOutput;
    try {
      out = await this.opts.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.opts.sessionName,
          DurationSeconds: SESSION_SECONDS,
        }),
      );
    } catch (cause) {
      const name = cause instanceof Error ? cause.name : 'Error';
      throw new MemberAccessError(
        `cannot act in account ${account}: AssumeRole ${roleArn} failed (${name})`,
        {
          cause,
        },
      );
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new MemberAccessError(
        `cannot act in account ${account}: AssumeRole ${roleArn} returned no credentials`,
      );
    const session: SessionCredentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
    this.sessions.set(account, session);
    return session;
  }
}
