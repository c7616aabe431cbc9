// Issue 15: a member account's own scope, the SSM parameter its member stack writes (MEMBER_SCOPE_PARAMETER),
// read through that account's session. The SSM package is loaded only when a hub reads a member's scope.
import type { SSMClient } from '@aws-sdk/client-ssm';
import { MEMBER_SCOPE_PARAMETER } from '../domain/accounts.ts';
import { awsCall, errorCode } from './aws-call.ts';

/** The parameter's value, or undefined when the member stack wrote none (`ParameterNotFound`). */
export async function readMemberScopeParameter(ssm: SSMClient, account: string): Promise<string | undefined> {
  const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: MEMBER_SCOPE_PARAMETER }));
    return out.Parameter?.Value ?? '';
  } catch (err) {
    if (errorCode(err) === 'ParameterNotFound') return undefined;
    return awsCall(`GetParameter ${MEMBER_SCOPE_PARAMETER} in ${account}`, () => Promise.reject(err));
  }
}
