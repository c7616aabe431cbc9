// Each workflow step's identity as the synthesized CloudFormation template defines it: the Lambda function's
// execution role and every identity policy attached to that role, with intrinsic functions resolved to the
// simulated stack's physical names. Resolution happens per world (account and region vary per scenario).
import { createHash } from 'node:crypto';
import { STEPS, type StepName } from '../../../lib/workflow/steps.ts';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
}

/** Physical names of the simulated deployment: those the simulator uses (see simulationDeps in simulate.ts). */
export interface SimulatedStack {
  account: string;
  region: string;
  /** @default 'Cf403Remediation' (lib/app.ts STACK_NAME) */
  stackName?: string;
  /** the bucket the steps' `CF403_ARTIFACT_BUCKET` names */
  artifactBucket: string;
  tableName: string;
  topicArn: string;
  approvalDocument: string;
  stateMachineArn: string;
}

export interface IamPolicy {
  name: string;
  document: Record<string, unknown>;
}

export interface StepIdentity {
  step: StepName;
  roleArn: string;
  /** the caller identity of the function's code: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION` */
  sessionArn: string;
  /** the Lambda function whose code calls ('' for a session that is not a function's: an assumed member role) */
  functionArn: string;
  policies: IamPolicy[];
  /** issue 15: the organization of the principal's account (aws:PrincipalOrgID), when it is a member */
  organizationId?: string;
}

export class TemplateResolutionError extends Error {
  override name = 'TemplateResolutionError';
}

const DEFAULT_STACK_NAME = 'Cf403Remediation';
/** CDK's StepLambda sets this description (lib/workflow/step-function.ts). */
const STEP_DESCRIPTION = /^cf403 workflow step: (\w+)$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function suffix(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length).toUpperCase();
}

/**
 * CloudFormation names unnamed resources `<stack>-<logical id>-<random>`, truncated to the type's limit
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html); the random part
 * is a stable hash here so runs are reproducible.
 */
function generatedName(stackName: string, logicalId: string, max: number, lower = false): string {
  const tail = `-${suffix(`${stackName}/${logicalId}`, 12)}`;
  const name = `${stackName}-${logicalId}`.slice(0, max - tail.length) + tail;
  return lower ? name.toLowerCase() : name;
}

/** A stable UUID-shaped id (KMS key ids). */
function uuidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

interface Physical {
  ref: string;
  attrs: Record<string, string>;
}

/** Resolves Ref / Fn::GetAtt / Fn::Join / Fn::Sub / Fn::Select / Fn::Split against one simulated stack. */
export class TemplateResolver {
  private readonly resources: Record<string, CfnResource>;
  private readonly stackName: string;
  private readonly overrides = new Map<string, Physical>();
  private readonly cache = new Map<string, Physical>();

  constructor(
    template: CfnTemplate,
    private readonly stack: SimulatedStack,
  ) {
    this.resources = template.Resources ?? {};
    this.stackName = stack.stackName ?? DEFAULT_STACK_NAME;
    this.pinSimulatedNames();
  }

  /** The simulator's own names: by resource type where the type occurs once, buckets by the steps' env. */
  private pinSimulatedNames(): void {
    const { account, region } = this.stack;
    const single = (type: string): string | undefined => {
      const ids = this.logicalIds(type);
      if (ids.length > 1)
        throw new TemplateResolutionError(`expected at most one ${type}, found ${ids.length}`);
      return ids[0];
    };
    const table = single('AWS::DynamoDB::Table');
    if (table) {
      const arn = `arn:aws:dynamodb:${region}:${account}:table/${this.stack.tableName}`;
      this.overrides.set(table, { ref: this.stack.tableName, attrs: { Arn: arn } });
    }
    const topic = single('AWS::SNS::Topic');
    if (topic) {
      const arn = this.stack.topicArn;
      this.overrides.set(topic, {
        ref: arn,
        attrs: { TopicArn: arn, TopicName: arn.split(':').at(-1) ?? '' },
      });
    }
    const document = single('AWS::SSM::Document');
    if (document) this.overrides.set(document, { ref: this.stack.approvalDocument, attrs: {} });
    const machine = single('AWS::StepFunctions::StateMachine');
    if (machine) {
      const arn = this.stack.stateMachineArn;
      this.overrides.set(machine, { ref: arn, attrs: { Arn: arn, Name: arn.split(':').at(-1) ?? '' } });
    }
    const bucket = this.artifactBucketId();
    if (bucket) {
      const name = this.stack.artifactBucket;
      this.overrides.set(bucket, { ref: name, attrs: this.bucketAttrs(name) });
    }
  }

  /** The bucket every step's CF403_ARTIFACT_BUCKET refers to. */
  private artifactBucketId(): string | undefined {
    const ids = new Set<string>();
    for (const id of this.logicalIds('AWS::Lambda::Function')) {
      const env = this.resources[id]?.Properties?.Environment;
      const value =
        isRecord(env) && isRecord(env.Variables) ? env.Variables.CF403_ARTIFACT_BUCKET : undefined;
      if (isRecord(value) && typeof value.Ref === 'string') ids.add(value.Ref);
    }
    if (ids.size > 1) throw new TemplateResolutionError(`steps name ${ids.size} different artifact buckets`);
    return [...ids][0];
  }

  private bucketAttrs(name: string): Record<string, string> {
    return {
      Arn: `arn:aws:s3:::${name}`,
      DomainName: `${name}.s3.amazonaws.com`,
      RegionalDomainName: `${name}.s3.${this.stack.region}.amazonaws.com`,
    };
  }

  logicalIds(type: string): string[] {
    return Object.keys(this.resources)
      .filter((id) => this.resources[id]?.Type === type)
      .sort();
  }

  resource(logicalId: string): CfnResource {
    const r = this.resources[logicalId];
    if (!r) throw new TemplateResolutionError(`no resource ${logicalId} in the template`);
    return r;
  }

  /** A resource's Ref value and attributes, as CloudFormation would have created it in the simulated stack. */
  physical(logicalId: string): Physical {
    const pinned = this.overrides.get(logicalId) ?? this.cache.get(logicalId);
    if (pinned) return pinned;
    const made = this.create(logicalId);
    this.cache.set(logicalId, made);
    return made;
  }

  private create(logicalId: string): Physical {
    const { account, region } = this.stack;
    const r = this.resource(logicalId);
    const props = r.Properties ?? {};
    const named = (prop: string, max: number, lower = false): string => {
      const given = props[prop];
      if (given === undefined) return generatedName(this.stackName, logicalId, max, lower);
      const value = this.resolve(given);
      if (typeof value !== 'string')
        throw new TemplateResolutionError(`${logicalId}.${prop} is not a string`);
      return value;
    };
    // Ref and GetAtt per type: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html
    switch (r.Type) {
      case 'AWS::IAM::Role': {
        const name = named('RoleName', 64);
        const path = typeof props.Path === 'string' ? props.Path : '/';
        return {
          ref: name,
          attrs: {
            Arn: `arn:aws:iam::${account}:role${path}${name}`,
            RoleId: `AROA${suffix(logicalId, 17)}`,
          },
        };
      }
      case 'AWS::IAM::ManagedPolicy': {
        const name = named('ManagedPolicyName', 128);
        const arn = `arn:aws:iam::${account}:policy/${name}`;
        return { ref: arn, attrs: { PolicyArn: arn } };
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName', 64);
        return { ref: name, attrs: { Arn: `arn:aws:lambda:${region}:${account}:function:${name}` } };
      }
      case 'AWS::S3::Bucket': {
        const name = named('BucketName', 63, true);
        return { ref: name, attrs: this.bucketAttrs(name) };
      }
      case 'AWS::KMS::Key': {
        const id = uuidOf(`${this.stackName}/${logicalId}`);
        return { ref: id, attrs: { Arn: `arn:aws:kms:${region}:${account}:key/${id}`, KeyId: id } };
      }
      case 'AWS::SQS::Queue': {
        const name = named('QueueName', 80);
        return {
          ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
          attrs: { Arn: `arn:aws:sqs:${region}:${account}:${name}`, QueueName: name },
        };
      }
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName', 512);
        return { ref: name, attrs: { Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` } };
      }
      case 'AWS::Events::Rule': {
        const name = named('Name', 64);
        return { ref: name, attrs: { Arn: `arn:aws:events:${region}:${account}:rule/${name}` } };
      }
      case 'AWS::SNS::Topic': {
        const name = named('TopicName', 256);
        const arn = `arn:aws:sns:${region}:${account}:${name}`;
        return { ref: arn, attrs: { TopicArn: arn, TopicName: name } };
      }
      case 'AWS::SSM::Parameter': {
        const name = named('Name', 2048);
        const path = name.startsWith('/') ? name.slice(1) : name;
        return { ref: name, attrs: { Arn: `arn:aws:ssm:${region}:${account}:parameter/${path}` } };
      }
      case 'AWS::CloudWatch::Alarm': {
        const name = named('AlarmName', 255);
        return { ref: name, attrs: { Arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${name}` } };
      }
      case 'AWS::StepFunctions::StateMachine': {
        const name = named('StateMachineName', 80);
        const arn = `arn:aws:states:${region}:${account}:stateMachine:${name}`;
        return { ref: arn, attrs: { Arn: arn, Name: name } };
      }
      default:
        throw new TemplateResolutionError(`cannot name ${r.Type} ${logicalId} in the simulated stack`);
    }
  }

  private ref(name: string): string | undefined {
    // pseudo parameters: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
    switch (name) {
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::Region':
        return this.stack.region;
      case 'AWS::AccountId':
        return this.stack.account;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.stack.region}:${this.stack.account}:stack/${this.stackName}/${uuidOf(this.stackName)}`;
      case 'AWS::NoValue':
        return undefined;
      default:
        return this.physical(name).ref;
    }
  }

  private getAtt(logicalId: string, attr: string): string {
    const value = this.physical(logicalId).attrs[attr];
    if (value === undefined)
      throw new TemplateResolutionError(
        `no attribute ${attr} of ${this.resource(logicalId).Type} ${logicalId}`,
      );
    return value;
  }

  private sub(template: string, vars: Record<string, Json>): string {
    return template.replace(/\$\{([^}]+)\}/g, (whole, expr: string) => {
      if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
      if (expr in vars) return this.asString(vars[expr], `Fn::Sub variable ${expr}`);
      if (expr.startsWith('AWS::')) return this.asString(this.ref(expr), whole);
      const dot = expr.indexOf('.');
      return dot < 0
        ? this.asString(this.ref(expr), whole)
        : this.getAtt(expr.slice(0, dot), expr.slice(dot + 1));
    });
  }

  private asString(v: unknown, what: string): string {
    if (typeof v !== 'string') throw new TemplateResolutionError(`${what} does not resolve to a string`);
    return v;
  }

  /** The value with every intrinsic function resolved; `undefined` for AWS::NoValue. */
  resolve(value: unknown): Json | undefined {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(v)).filter((v): v is Json => v !== undefined);
    }
    if (!isRecord(value)) return value as Json;
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0] : undefined;
    if (only === 'Ref') return this.ref(this.asString(value.Ref, 'Ref'));
    if (only === 'Fn::GetAtt') {
      const arg = value['Fn::GetAtt'];
      const [id, attr] = typeof arg === 'string' ? arg.split('.', 2) : (arg as string[]);
      return this.getAtt(this.asString(id, 'Fn::GetAtt'), this.asString(this.resolve(attr), 'Fn::GetAtt'));
    }
    if (only === 'Fn::Join') {
      const [sep, parts] = value['Fn::Join'] as [string, unknown];
      const list = this.resolve(parts);
      if (!Array.isArray(list)) throw new TemplateResolutionError('Fn::Join needs a list');
      return list.map((p) => this.asString(p, 'Fn::Join part')).join(sep);
    }
    if (only === 'Fn::Sub') {
      const arg = value['Fn::Sub'];
      if (typeof arg === 'string') return this.sub(arg, {});
      const [text, vars] = arg as [string, Record<string, unknown>];
      const resolved = this.resolve(vars);
      return this.sub(text, isRecord(resolved) ? (resolved as Record<string, Json>) : {});
    }
    if (only === 'Fn::Select') {
      const [index, list] = value['Fn::Select'] as [unknown, unknown];
      const items = this.resolve(list);
      const i = Number(this.resolve(index));
      if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length)
        throw new TemplateResolutionError('Fn::Select index out of range');
      return items[i] as Json;
    }
    if (only === 'Fn::Split') {
      const [sep, text] = value['Fn::Split'] as [string, unknown];
      return this.asString(this.resolve(text), 'Fn::Split source').split(sep);
    }
    if (only?.startsWith('Fn::'))
      throw new TemplateResolutionError(`unsupported intrinsic ${only} in the simulated stack`);
    const out: Record<string, Json> = {};
    for (const k of keys) {
      const v = this.resolve(value[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  resolveDocument(value: unknown, what: string): Record<string, unknown> {
    const doc = this.resolve(value);
    if (!isRecord(doc)) throw new TemplateResolutionError(`${what} is not a policy document`);
    return doc;
  }
}

function refersTo(value: unknown, logicalId: string): boolean {
  return isRecord(value) && value.Ref === logicalId;
}

/** Every identity policy attached to a role: inline, AWS::IAM::Policy / RolePolicy, and managed policies. */
export function rolePolicies(resolver: TemplateResolver, roleId: string): IamPolicy[] {
  const role = resolver.resource(roleId);
  const props = role.Properties ?? {};
  const out: IamPolicy[] = [];
  for (const p of Array.isArray(props.Policies) ? props.Policies : []) {
    if (!isRecord(p)) continue;
    const name = String(resolver.resolve(p.PolicyName));
    out.push({ name, document: resolver.resolveDocument(p.PolicyDocument, `${roleId} inline ${name}`) });
  }
  const attached = (type: string, list: (props: Record<string, unknown>) => unknown[]) =>
    resolver
      .logicalIds(type)
      .filter((id) => list(resolver.resource(id).Properties ?? {}).some((r) => refersTo(r, roleId)));
  const rolesOf = (p: Record<string, unknown>) => (Array.isArray(p.Roles) ? p.Roles : []);
  for (const id of attached('AWS::IAM::Policy', rolesOf)) {
    const p = resolver.resource(id).Properties ?? {};
    out.push({
      name: String(resolver.resolve(p.PolicyName)),
      document: resolver.resolveDocument(p.PolicyDocument, id),
    });
  }
  for (const id of attached('AWS::IAM::RolePolicy', (p) => [p.RoleName])) {
    const p = resolver.resource(id).Properties ?? {};
    out.push({
      name: String(resolver.resolve(p.PolicyName)),
      document: resolver.resolveDocument(p.PolicyDocument, id),
    });
  }
  const managed = new Set(attached('AWS::IAM::ManagedPolicy', rolesOf));
  for (const arn of Array.isArray(props.ManagedPolicyArns) ? props.ManagedPolicyArns : []) {
    if (
      isRecord(arn) &&
      typeof arn.Ref === 'string' &&
      resolver.resource(arn.Ref).Type === 'AWS::IAM::ManagedPolicy'
    ) {
      managed.add(arn.Ref);
      continue;
    }
    // AWS managed policies are not in the template; the simulator has no copy of their documents
    throw new TemplateResolutionError(
      `${roleId} attaches managed policy ${JSON.stringify(resolver.resolve(arn))}, which the simulator cannot read`,
    );
  }
  for (const id of [...managed].sort()) {
    out.push({
      name: resolver.physical(id).ref,
      document: resolver.resolveDocument(resolver.resource(id).Properties?.PolicyDocument, id),
    });
  }
  return out;
}

function roleOfFunction(fn: CfnResource, fnId: string): string {
  const role = fn.Properties?.Role;
  const getAtt = isRecord(role) ? role['Fn::GetAtt'] : undefined;
  if (!Array.isArray(getAtt) || typeof getAtt[0] !== 'string' || getAtt[1] !== 'Arn')
    throw new TemplateResolutionError(`${fnId}: the role is not a role of this stack`);
  return getAtt[0];
}

/** Each step's function, role and identity policies, resolved for one simulated stack. */
export function stepIdentities(template: CfnTemplate, stack: SimulatedStack): Record<StepName, StepIdentity> {
  const resolver = new TemplateResolver(template, stack);
  const out: Partial<Record<StepName, StepIdentity>> = {};
  for (const fnId of resolver.logicalIds('AWS::Lambda::Function')) {
    const fn = resolver.resource(fnId);
    const description = fn.Properties?.Description;
    const step = typeof description === 'string' ? STEP_DESCRIPTION.exec(description)?.[1] : undefined;
    if (step === undefined) continue;
    if (!(STEPS as readonly string[]).includes(step))
      throw new TemplateResolutionError(`${fnId} runs an unknown step ${step}`);
    const stepName = step as StepName;
    if (out[stepName]) throw new TemplateResolutionError(`two functions run step ${step}`);
    const roleId = roleOfFunction(fn, fnId);
    const role = resolver.physical(roleId);
    const fnPhysical = resolver.physical(fnId);
    out[stepName] = {
      step: stepName,
      roleArn: role.attrs.Arn ?? '',
      // Lambda's caller identity: the role's session named after the function
      // (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html)
      sessionArn: `arn:aws:sts::${stack.account}:assumed-role/${role.ref}/${fnPhysical.ref}`,
      functionArn: fnPhysical.attrs.Arn ?? '',
      policies: rolePolicies(resolver, roleId),
    };
  }
  const missing = STEPS.filter((s) => !out[s]);
  if (missing.length > 0) throw new TemplateResolutionError(`no function for step(s) ${missing.join(', ')}`);
  return out as Record<StepName, StepIdentity>;
}

/** Resource policies the stack itself sets: bucket policies by bucket name, key policies by key ARN. */
export interface StackResourcePolicies {
  bucketPolicies: Record<string, Record<string, unknown>>;
  keyPolicies: Record<string, Record<string, unknown>>;
  /** the key of the notification topic, when the topic is encrypted */
  topicKeyArn?: string;
}

export function stackResourcePolicies(template: CfnTemplate, stack: SimulatedStack): StackResourcePolicies {
  const resolver = new TemplateResolver(template, stack);
  const bucketPolicies: Record<string, Record<string, unknown>> = {};
  for (const id of resolver.logicalIds('AWS::S3::BucketPolicy')) {
    const p = resolver.resource(id).Properties ?? {};
    const bucket = resolver.resolve(p.Bucket);
    if (typeof bucket !== 'string') throw new TemplateResolutionError(`${id}: no bucket`);
    bucketPolicies[bucket] = resolver.resolveDocument(p.PolicyDocument, id);
  }
  const keyPolicies: Record<string, Record<string, unknown>> = {};
  for (const id of resolver.logicalIds('AWS::KMS::Key')) {
    const arn = resolver.physical(id).attrs.Arn ?? '';
    keyPolicies[arn] = resolver.resolveDocument(resolver.resource(id).Properties?.KeyPolicy, id);
  }
  const topic = resolver.logicalIds('AWS::SNS::Topic')[0];
  const key = topic === undefined ? undefined : resolver.resource(topic).Properties?.KmsMasterKeyId;
  const topicKey = key === undefined ? undefined : resolver.resolve(key);
  return {
    bucketPolicies,
    keyPolicies,
    ...(typeof topicKey === 'string' && topicKey.startsWith('arn:') ? { topicKeyArn: topicKey } : {}),
  };
}
