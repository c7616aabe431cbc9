// The committed table of AWS service-model constraints (sim/world/model/constraints.json), generated from
// botocore's service models by tools/aws-models/generate.py. Only the simulator and tests read it.
import { readFileSync } from 'node:fs';
import type { ServiceName } from '../errors.ts';

export type ShapeType =
  | 'structure'
  | 'list'
  | 'map'
  | 'string'
  | 'integer'
  | 'long'
  | 'float'
  | 'double'
  | 'biginteger'
  | 'bigdecimal'
  | 'boolean'
  | 'timestamp'
  | 'blob';

/** Where a top-level input member travels in the HTTP request (botocore `location`), or the body. */
export type MemberLocation = 'uri' | 'header' | 'headers' | 'querystring' | 'statusCode' | 'payload' | 'body';

/** One shape as the table keeps it: only what validation and redaction read. */
export interface ShapeEntry {
  type: ShapeType;
  /** length (strings, in characters; lists, maps, blobs) or value (numbers) bounds */
  min?: number;
  max?: number;
  enum?: string[];
  /** the model's Java regex, for messages */
  pattern?: string;
  /** the same language as an anchored JavaScript `u` regex; absent when the pattern could not be translated */
  regex?: string;
  sensitive?: boolean;
  /** a blob sent as a stream (S3 PutObject Body) */
  streaming?: boolean;
  /** structure: member name -> shape name */
  members?: Record<string, string>;
  required?: string[];
  locations?: Record<string, Exclude<MemberLocation, 'payload' | 'body'>>;
  /** structure: the member that is the whole HTTP body */
  payload?: string;
  /** list: element shape */
  member?: string;
  /** map: key and value shapes */
  key?: string;
  value?: string;
}

export interface ServiceModel {
  botocoreName: string;
  apiVersion: string;
  protocol: string;
  botocoreVersion: string;
  /** operation -> input shape name (null: the operation takes no input) */
  operations: Record<string, string | null>;
  shapes: Record<string, ShapeEntry>;
}

export interface SkippedPattern {
  service: ServiceName;
  shape: string;
  pattern: string;
  reason: string;
}

export interface ConstraintTable {
  generator: string;
  botocoreVersion: string;
  services: Record<ServiceName, ServiceModel>;
  /** patterns with no exact JavaScript equivalent: not enforced */
  skippedPatterns: SkippedPattern[];
}

/** A service or operation the table has no model for: regenerate it (tools/aws-models/README.md). */
export class ModelLookupError extends Error {
  override readonly name = 'ModelLookupError';
}

function load(): ConstraintTable {
  const parsed: unknown = JSON.parse(readFileSync(new URL('./constraints.json', import.meta.url), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('services' in parsed)) {
    throw new ModelLookupError('sim/world/model/constraints.json is not a constraint table');
  }
  return parsed as ConstraintTable;
}

export const MODEL_TABLE: ConstraintTable = load();

export function serviceModel(service: ServiceName): ServiceModel {
  const model = MODEL_TABLE.services[service];
  if (!model)
    throw new ModelLookupError(`no service model for ${service} in sim/world/model/constraints.json`);
  return model;
}

/** The input shape name of an operation (null when it takes no input); throws for an operation not in the table. */
export function inputShapeName(service: ServiceName, operation: string): string | null {
  const shape = serviceModel(service).operations[operation];
  if (shape === undefined) {
    throw new ModelLookupError(
      `no model for ${service}:${operation}; add it to tools/aws-models/operations.json and regenerate`,
    );
  }
  return shape;
}
