// Lambda, as far as function URL origins need it: the functions and their URLs (ListFunctions,
// ListFunctionUrlConfigs, GetFunctionUrlConfig) and resource policies (GetPolicy, AddPermission,
// RemovePermission), each policy per qualifier as Lambda keeps them (AWS Lambda Developer Guide, "Working with
// resource-based IAM policies in Lambda": a version or alias has its own policy).
import type {
  AddPermissionCommandInput,
  AddPermissionCommandOutput,
  GetFunctionUrlConfigCommandInput,
  GetFunctionUrlConfigCommandOutput,
  GetPolicyCommandInput,
  GetPolicyCommandOutput,
  ListFunctionsCommandInput,
  ListFunctionsCommandOutput,
  ListFunctionUrlConfigsCommandInput,
  ListFunctionUrlConfigsCommandOutput,
  RemovePermissionCommandInput,
  RemovePermissionCommandOutput,
} from '@aws-sdk/client-lambda';
import { parseFunctionName } from '../../cli/iam-actions.ts';
import type { Scenario, ScenarioLambdaFunction } from '../scenario/types.ts';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

/** One function: the scenario's fields, with a policy per qualifier ('' = the unqualified function). */
export interface LambdaFunctionState {
  config: ScenarioLambdaFunction;
  policies: Map<string, string | null>;
  revision: number;
}

function lambdaError(name: string, message: string, status: number): Error {
  return serviceError({ service: 'lambda', name, message, status });
}

export function lambdaState(sc: Scenario): Map<string, LambdaFunctionState> {
  return new Map(
    (sc.lambda?.functions ?? []).map((f) => [
      f.FunctionName,
      { config: structuredClone(f), policies: new Map([['', f.Policy]]), revision: 1 },
    ]),
  );
}

/** The functions as the scenario format writes them, with the current unqualified policies. */
export function lambdaScenario(functions: Map<string, LambdaFunctionState>): Scenario['lambda'] {
  return {
    functions: [...functions.values()].map((f) => ({
      ...structuredClone(f.config),
      Policy: f.policies.get('') ?? null,
    })),
  };
}

/** The ARN AddPermission writes into a statement's Resource: the function's, with the qualifier if any. */
function resourceArn(f: LambdaFunctionState, qualifier: string): string {
  return qualifier === '' ? f.config.FunctionArn : `${f.config.FunctionArn}:${qualifier}`;
}

interface PolicyDoc {
  Version: string;
  Id: string;
  Statement: Record<string, unknown>[];
}

function parsePolicy(text: string | null | undefined): PolicyDoc {
  if (!text) return { Version: '2012-10-17', Id: 'default', Statement: [] };
  const doc = JSON.parse(text) as Partial<PolicyDoc> & { Statement?: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return {
    Version: doc.Version ?? '2012-10-17',
    Id: doc.Id ?? 'default',
    Statement: statements as Record<string, unknown>[],
  };
}

/** The statement AddPermission stores for these parameters (the shape GetPolicy returns). */
export function permissionStatement(
  input: AddPermissionCommandInput,
  resource: string,
): Record<string, unknown> {
  const condition: Record<string, Record<string, string>> = {};
  if (input.SourceArn) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  if (input.SourceAccount)
    condition.StringEquals = { ...condition.StringEquals, 'AWS:SourceAccount': input.SourceAccount };
  if (input.FunctionUrlAuthType)
    condition.StringEquals = {
      ...condition.StringEquals,
      'lambda:FunctionUrlAuthType': input.FunctionUrlAuthType,
    };
  if (input.InvokedViaFunctionUrl !== undefined)
    condition.Bool = { 'lambda:InvokedViaFunctionUrl': String(input.InvokedViaFunctionUrl) };
  const principal = input.Principal ?? '';
  return {
    Sid: input.StatementId,
    Effect: 'Allow',
    Principal:
      principal === '*'
        ? '*'
        : /^\d{12}$|^arn:/.test(principal)
          ? { AWS: principal }
          : { Service: principal },
    Action: input.Action,
    Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

// StatementId: 1-100 characters of [a-zA-Z0-9-_.] (AWS Lambda API Reference, AddPermission).
const STATEMENT_ID = /^[a-zA-Z0-9\-_.]{1,100}$/;

export function lambdaHandlers(world: World): Handlers {
  const functions = () => world.state.lambdaFunctions;

  const lookup = (value: unknown, qualifier?: string) => {
    const { name, qualifier: q } = parseFunctionName(typeof value === 'string' ? value : '', qualifier);
    const f = functions().get(name);
    if (!f) {
      throw lambdaError(
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:${world.region}:${world.account}:function:${name}`,
        404,
      );
    }
    return { f, qualifier: q };
  };

  const urlConfigs = (f: LambdaFunctionState) =>
    (f.config.FunctionUrlConfigs ?? []).map((c) => ({
      FunctionUrl: c.FunctionUrl,
      FunctionArn: c.FunctionArn ?? f.config.FunctionArn,
      AuthType: c.AuthType,
      CreationTime: new Date(0).toISOString(),
      LastModifiedTime: new Date(0).toISOString(),
    }));

  return {
    ListFunctions: handler<ListFunctionsCommandInput, Out<ListFunctionsCommandOutput>>((input) => {
      const all = [...functions().values()];
      const max = input.MaxItems ?? 50;
      const start = input.Marker ? Number(input.Marker) : 0;
      const page = all.slice(start, start + max);
      const next = start + max < all.length ? String(start + max) : undefined;
      return {
        Functions: page.map((f) => ({
          FunctionName: f.config.FunctionName,
          FunctionArn: f.config.FunctionArn,
        })),
        ...(next ? { NextMarker: next } : {}),
      };
    }),

    ListFunctionUrlConfigs: handler<
      ListFunctionUrlConfigsCommandInput,
      Out<ListFunctionUrlConfigsCommandOutput>
    >((input) => ({ FunctionUrlConfigs: urlConfigs(lookup(input.FunctionName).f) })),

    GetFunctionUrlConfig: handler<GetFunctionUrlConfigCommandInput, Out<GetFunctionUrlConfigCommandOutput>>(
      (input) => {
        const { f, qualifier } = lookup(input.FunctionName, input.Qualifier);
        const config = urlConfigs(f).find((c) => c.FunctionArn === resourceArn(f, qualifier));
        if (!config)
          throw lambdaError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
        return config;
      },
    ),

    GetPolicy: handler<GetPolicyCommandInput, Out<GetPolicyCommandOutput>>((input) => {
      const { f, qualifier } = lookup(input.FunctionName, input.Qualifier);
      const policy = f.policies.get(qualifier) ?? null;
      if (policy === null || parsePolicy(policy).Statement.length === 0)
        throw lambdaError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
      return { Policy: policy, RevisionId: `rev-${f.revision}` };
    }),

    AddPermission: handler<AddPermissionCommandInput, Out<AddPermissionCommandOutput>>((input) => {
      const { f, qualifier } = lookup(input.FunctionName, input.Qualifier);
      if (!STATEMENT_ID.test(input.StatementId ?? ''))
        throw lambdaError('InvalidParameterValueException', 'StatementId is not valid.', 400);
      if (!input.Action || !input.Principal)
        throw lambdaError('InvalidParameterValueException', 'Action and Principal are required.', 400);
      const doc = parsePolicy(f.policies.get(qualifier));
      if (doc.Statement.some((s) => s.Sid === input.StatementId)) {
        throw lambdaError(
          'ResourceConflictException',
          `The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          409,
        );
      }
      const statement = permissionStatement(input, resourceArn(f, qualifier));
      doc.Statement.push(statement);
      f.policies.set(qualifier, JSON.stringify(doc));
      f.revision += 1;
      return { Statement: JSON.stringify(statement) };
    }),

    RemovePermission: handler<RemovePermissionCommandInput, Out<RemovePermissionCommandOutput>>((input) => {
      const { f, qualifier } = lookup(input.FunctionName, input.Qualifier);
      const doc = parsePolicy(f.policies.get(qualifier));
      const kept = doc.Statement.filter((s) => s.Sid !== input.StatementId);
      if (kept.length === doc.Statement.length) {
        throw lambdaError(
          'ResourceNotFoundException',
          `Statement ${input.StatementId ?? ''} is not found in resource policy.`,
          404,
        );
      }
      f.policies.set(qualifier, kept.length === 0 ? null : JSON.stringify({ ...doc, Statement: kept }));
      f.revision += 1;
      return {};
    }),
  };
}
