/**
 * Checks an OpenAPI document for the holes a generated client falls into: operations without a
 * success schema, without their error answers or without security, and schemas that say less than
 * the server does (bare `object` properties, arrays without item types, missing types).
 * Used by test/integration/openapi-types.spec.ts; every list must be empty.
 */
import type { DtoClass } from '../../src/common/validation-schema';

/** The operations anyone may call without a token (they carry @Public() in the controllers). */
export const PUBLIC_OPERATIONS = new Set([
  'POST /api/v1/accounts',
  'POST /api/v1/auth/login',
  'GET /health',
  'GET /api/v1/csat/{token}',
  'POST /api/v1/csat/{token}',
  'POST /webhooks/twilio/sms/{inboxId}',
  'POST /webhooks/twilio/sms/{inboxId}/status',
]);

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses?: Record<string, { content?: Record<string, { schema?: Schema }>; $ref?: string }>;
  security?: Record<string, string[]>[];
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, Schema> };
  security?: Record<string, string[]>[];
}

export interface OpenApiAudit {
  operations: number;
  /** No 2xx answer with a schema (a 204 without content counts as described). */
  withoutSuccessSchema: string[];
  /** Needs a token but declares no bearer security, or is public but declares one. */
  wrongSecurity: string[];
  /** No 4xx answer at all. */
  withoutClientErrors: string[];
  /** A 4xx answer whose JSON body is not the ErrorResponse schema. */
  clientErrorsWithoutErrorShape: string[];
  /** Authenticated operations without a 401 answer. */
  withoutUnauthorized: string[];
  /** Operations with parameters or a body and no 400 answer. */
  withoutBadRequest: string[];
  /** Properties typed as a bare `object` (no properties, no additionalProperties): usually a string, number or null. */
  bareObjectProperties: string[];
  /** Properties with no type at all (no type, $ref, allOf, oneOf, anyOf, enum). */
  untypedProperties: string[];
  /** Arrays without an item type. */
  arraysWithoutItems: string[];
  /** Whether components.securitySchemes declares the bearer scheme. */
  bearerSchemeDeclared: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function auditOpenApi(doc: OpenApiDocument): OpenApiAudit {
  const audit: OpenApiAudit = {
    operations: 0,
    withoutSuccessSchema: [],
    wrongSecurity: [],
    withoutClientErrors: [],
    clientErrorsWithoutErrorShape: [],
    withoutUnauthorized: [],
    withoutBadRequest: [],
    bareObjectProperties: [],
    untypedProperties: [],
    arraysWithoutItems: [],
    bearerSchemeDeclared: Object.values(doc.components?.securitySchemes ?? {}).some((s) => s.type === 'http' && s.scheme === 'bearer'),
  };
  const schemes = new Set(Object.keys(doc.components?.securitySchemes ?? {}));
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.includes(method)) continue;
      const name = `${method.toUpperCase()} ${path}`;
      audit.operations += 1;
      const responses = op.responses ?? {};
      const success = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
      const described = success.some(([status, r]) =>
        status === '204' ? !r.content : Object.values(r.content ?? {}).some((c) => c.schema && Object.keys(c.schema).length > 0),
      );
      if (!described) audit.withoutSuccessSchema.push(name);

      const isPublic = PUBLIC_OPERATIONS.has(name);
      const security = op.security ?? doc.security ?? [];
      const bearer = security.some((req) => Object.keys(req).some((s) => schemes.has(s)));
      if (isPublic ? bearer : !bearer) audit.wrongSecurity.push(name);

      const clientErrors = Object.entries(responses).filter(([status]) => /^4\d\d$/.test(status));
      if (clientErrors.length === 0) audit.withoutClientErrors.push(name);
      for (const [status, r] of clientErrors) {
        const json = r.content?.['application/json']?.schema;
        if (!json || json.$ref !== '#/components/schemas/ErrorResponse') audit.clientErrorsWithoutErrorShape.push(`${name} ${status}`);
      }
      if (!isPublic && !responses['401']) audit.withoutUnauthorized.push(name);
      if ((op.parameters?.length || op.requestBody) && !responses['400']) audit.withoutBadRequest.push(name);

      for (const [, r] of Object.entries(responses)) {
        for (const [type, c] of Object.entries(r.content ?? {})) if (c.schema) walk(c.schema, `${name} response ${type}`, audit);
      }
      const body = op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined;
      for (const [type, c] of Object.entries(body?.content ?? {})) if (c.schema) walk(c.schema, `${name} body ${type}`, audit);
      for (const p of (op.parameters ?? []) as { name: string; in: string; schema?: Schema }[]) {
        if (!p.schema || !hasType(p.schema)) audit.untypedProperties.push(`${name} ${p.in} ${p.name}`);
        else walk(p.schema, `${name} ${p.in} ${p.name}`, audit);
      }
    }
  }
  for (const [schemaName, schema] of Object.entries(doc.components?.schemas ?? {})) walk(schema, schemaName, audit);
  return audit;
}

function hasType(s: Schema): boolean {
  return ['type', '$ref', 'allOf', 'oneOf', 'anyOf', 'enum', 'const'].some((k) => k in s);
}

/** Looks at the properties, items and compositions of one schema (not into $refs: those are walked by name). */
function walk(schema: Schema, where: string, audit: OpenApiAudit): void {
  if (schema.type === 'array') {
    const items = schema.items as Schema | undefined;
    if (!items || !hasType(items)) audit.arraysWithoutItems.push(where);
    else walk(items, `${where}[]`, audit);
  }
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    for (const [i, part] of ((schema[key] as Schema[] | undefined) ?? []).entries()) walk(part, `${where}.${key}[${i}]`, audit);
  }
  const additional = schema.additionalProperties;
  if (additional && typeof additional === 'object') walk(additional as Schema, `${where}{}`, audit);
  for (const [prop, raw] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
    const at = `${where}.${prop}`;
    if (!hasType(raw)) {
      audit.untypedProperties.push(at);
      continue;
    }
    if (raw.type === 'object' && !raw.properties && raw.additionalProperties === undefined && !raw.allOf && !raw.oneOf && !raw.anyOf) {
      audit.bareObjectProperties.push(at);
    }
    walk(raw, at, audit);
  }
}

/** The counts, for reports. */
export function auditCounts(audit: OpenApiAudit): Record<string, number | boolean> {
  return Object.fromEntries(Object.entries(audit).map(([k, v]) => [k, Array.isArray(v) ? v.length : v]));
}

/** A schema's statement of one fact that does not match the validators (or is missing). */
export interface FactProblem {
  where: string;
  problem: string;
}

/**
 * Compares what the class-validator rules of request DTOs accept with what the document says:
 * every validated property is documented, required as the validators require it, nullable where
 * null is accepted, and typed, enumerated and bounded at least as strictly. `bodies` are DTO
 * classes documented as component schemas of their name; `queries` DTOs whose properties are the
 * query parameters of an operation.
 */
export function auditValidationFacts(
  doc: OpenApiDocument,
  facts: (cls: DtoClass) => Map<string, FactsLike>,
  bodies: DtoClass[],
  queries: { operationId: string; cls: DtoClass }[],
): FactProblem[] {
  const problems: FactProblem[] = [];
  const schemas = doc.components?.schemas ?? {};
  for (const cls of bodies) {
    const schema = schemas[cls.name];
    if (!schema) continue;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const [prop, f] of facts(cls)) {
      const where = `${cls.name}.${prop}`;
      const s = properties[prop];
      if (!s) {
        problems.push({ where, problem: 'validated but not documented' });
        continue;
      }
      if (required.has(prop) !== f.required) problems.push({ where, problem: f.required ? 'required but documented optional' : 'optional but documented required' });
      compare(where, s, f, problems, schemas);
    }
  }
  const operations = new Map<string, Operation & { operationId?: string }>();
  for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops) as (Operation & { operationId?: string })[]) if (op.operationId) operations.set(op.operationId, op);
  for (const { operationId, cls } of queries) {
    const op = operations.get(operationId);
    if (!op) continue;
    for (const [prop, f] of facts(cls)) {
      const where = `${operationId} query ${prop}`;
      const p = (op.parameters ?? []).find((x) => x.in === 'query' && x.name === prop) as { required?: boolean; schema?: Schema } | undefined;
      if (!p) {
        problems.push({ where, problem: 'validated but not documented' });
        continue;
      }
      if (Boolean(p.required) !== f.required) problems.push({ where, problem: f.required ? 'required but documented optional' : 'optional but documented required' });
      compare(where, p.schema ?? {}, { ...f, nullable: false }, problems, schemas);
    }
  }
  return problems;
}

/** The shape of validation-schema.ts's PropertyFacts, restated so this audit does not trust that file's types. */
export interface FactsLike {
  type?: string;
  format?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  required: boolean;
  nullable: boolean;
  items: Omit<FactsLike, 'required' | 'nullable' | 'items'>;
}

function compare(where: string, s: Schema, f: Omit<FactsLike, 'items'> & { items?: FactsLike['items'] }, problems: FactProblem[], schemas: Record<string, Schema>): void {
  const target = s.$ref ? schemas[String(s.$ref).split('/').pop()!] : s.allOf ? schemas[String((s.allOf as Schema[])[0].$ref).split('/').pop()!] : undefined;
  const type = (s.type as string | undefined) ?? (target?.type as string | undefined);
  if (f.nullable && !s.nullable) problems.push({ where, problem: 'accepts null but is not documented nullable' });
  if (f.type && type !== f.type && !(f.type === 'object' && target)) problems.push({ where, problem: `validated as ${f.type}, documented as ${type ?? 'untyped'}` });
  if (f.format && s.format !== f.format) problems.push({ where, problem: `format ${f.format} not documented` });
  if (f.enum) {
    const stated = s.enum as unknown[] | undefined;
    if (!stated || stated.some((v) => !f.enum!.includes(v))) problems.push({ where, problem: `enum ${JSON.stringify(f.enum)} documented as ${JSON.stringify(stated)}` });
  }
  const text = type === 'string';
  const atLeast = (key: 'minLength' | 'minimum' | 'minItems', applies: boolean) => {
    const v = f[key];
    if (v === undefined || !applies) return;
    if (typeof s[key] !== 'number' || (s[key] as number) < v) problems.push({ where, problem: `${key} ${v} documented as ${String(s[key])}` });
  };
  const atMost = (key: 'maxLength' | 'maximum' | 'maxItems', applies: boolean) => {
    const v = f[key];
    if (v === undefined || !applies) return;
    if (typeof s[key] !== 'number' || (s[key] as number) > v) problems.push({ where, problem: `${key} ${v} documented as ${String(s[key])}` });
  };
  atLeast('minLength', text);
  atMost('maxLength', text);
  atLeast('minimum', true);
  atMost('maximum', true);
  atLeast('minItems', true);
  atMost('maxItems', true);
  if (f.pattern && text && s.pattern !== f.pattern) problems.push({ where, problem: `pattern ${f.pattern} not documented` });
  if (f.items && Object.keys(f.items).length) {
    const items = s.items as Schema | undefined;
    if (!items) problems.push({ where, problem: 'array items not documented' });
    else compare(`${where}[]`, items, { ...f.items, required: true, nullable: false }, problems, schemas);
  }
}

/**
 * Where a JSON value departs from a schema of the document: wrong type, null where not nullable, a
 * value outside the enum, a required property missing, or a property the schema does not name
 * (a generated client would not know it). Enough of OpenAPI 3.0 for the schemas Nest writes.
 */
export function schemaProblems(doc: OpenApiDocument, schema: Schema, value: unknown, at = 'body'): string[] {
  if (schema.$ref) return schemaProblems(doc, doc.components!.schemas![String(schema.$ref).split('/').pop()!], value, at);
  if (value === null) return schema.nullable ? [] : [`${at}: null, documented as not nullable`];
  const problems: string[] = [];
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) problems.push(...schemaProblems(doc, part, value, at));
  const oneOf = schema.oneOf as Schema[] | undefined;
  if (oneOf && !oneOf.some((s) => schemaProblems(doc, s, value, at).length === 0)) problems.push(`${at}: matches none of oneOf`);
  const type = schema.type as string | undefined;
  const actual = Array.isArray(value) ? 'array' : typeof value;
  const fits =
    !type ||
    (type === 'integer' ? Number.isInteger(value) : type === 'number' ? actual === 'number' : type === 'object' ? actual === 'object' : actual === type);
  if (!fits) return [...problems, `${at}: ${JSON.stringify(value)?.slice(0, 60)} is not ${type}`];
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string' && schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) {
    problems.push(`${at}: ${value} is not a date-time`);
  }
  if (typeof value === 'string' && schema.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    problems.push(`${at}: ${value} is not a uuid`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => problems.push(...schemaProblems(doc, schema.items as Schema, v, `${at}[${i}]`)));
  if (actual === 'object' && !Array.isArray(value) && (schema.properties || schema.additionalProperties !== undefined)) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const object = value as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? []) if (!(name in object)) problems.push(`${at}.${name}: required, missing`);
    for (const [name, v] of Object.entries(object)) {
      if (properties[name]) problems.push(...schemaProblems(doc, properties[name], v, `${at}.${name}`));
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        problems.push(...schemaProblems(doc, schema.additionalProperties as Schema, v, `${at}.${name}`));
      } else if (!schema.additionalProperties) problems.push(`${at}.${name}: not documented`);
    }
  }
  return problems;
}
