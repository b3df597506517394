/**
 * The class-validator decorators of a DTO are the truth about what the server accepts; this reads
 * them as OpenAPI facts (type, format, enum, lengths, ranges, sizes, pattern, required, nullable),
 * so the document states every bound the validation pipe applies without repeating it in
 * @ApiProperty. openapi-document.ts merges them into the document: where @ApiProperty says more
 * (a stricter bound checked later by the use case), the stricter one stays.
 */
import { getMetadataStorage } from 'class-validator';

/** A DTO class (class-validator keeps its rules by constructor). */
export type DtoClass = abstract new (...args: never[]) => object;

export interface SchemaFacts {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  format?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

export interface PropertyFacts extends SchemaFacts {
  /** No @IsOptional and no condition (@ValidateIf): the field must be sent. */
  required: boolean;
  /** A @ValidateIf that skips validation for null: null is a value of its own ("clear it"). */
  nullable: boolean;
  /** Validated as a nested DTO (@ValidateNested). */
  nested: boolean;
  /** Facts of each element (validators with `{ each: true }`). */
  items: SchemaFacts;
}

interface Rule {
  type: string;
  name?: string;
  propertyName: string;
  each?: boolean;
  constraints?: unknown[];
}

/** The properties a DTO class validates (its own and inherited ones), with what the validators accept. */
export function validationFacts(cls: DtoClass): Map<string, PropertyFacts> {
  const rules = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false) as unknown as Rule[];
  const facts = new Map<string, PropertyFacts>();
  const of = (property: string): PropertyFacts => {
    let f = facts.get(property);
    if (!f) facts.set(property, (f = { required: true, nullable: false, nested: false, items: {} }));
    return f;
  };
  for (const rule of rules) {
    const f = of(rule.propertyName);
    if (rule.type === 'conditionalValidation') {
      f.required = false;
      const condition = rule.constraints?.[0] as ((o: object, v: unknown) => boolean) | undefined;
      // Skipping null but not a value is "null is allowed": @ValidateIf((_o, v) => v !== null).
      if (rule.name !== 'isOptional' && condition && safe(() => condition({}, null)) === false && safe(() => condition({}, 'value')) === true) {
        f.nullable = true;
      }
      continue;
    }
    if (rule.type === 'nestedValidation') {
      f.nested = true;
      continue;
    }
    if (rule.type !== 'customValidation' || !rule.name) continue;
    apply(rule.each ? f.items : f, rule.name, rule.constraints ?? []);
    if (rule.each && !f.type) f.type = 'array';
  }
  return facts;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

const stricterMin = (a: number | undefined, b: number) => (a === undefined ? b : Math.max(a, b));
const stricterMax = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));

function apply(f: SchemaFacts, name: string, c: unknown[]): void {
  switch (name) {
    case 'isString':
      f.type = 'string';
      break;
    case 'isInt':
      f.type = 'integer';
      break;
    case 'isNumber':
      if (f.type !== 'integer') f.type = 'number';
      break;
    case 'isBoolean':
      f.type = 'boolean';
      break;
    case 'isArray':
      f.type = 'array';
      break;
    case 'isObject':
      f.type = 'object';
      break;
    case 'isUuid':
      f.type = 'string';
      f.format = 'uuid';
      break;
    case 'isEmail':
      f.type = 'string';
      f.format = 'email';
      break;
    case 'isDate':
      // @Type(() => Date) + @IsDate: sent as an ISO date-time string.
      f.type = 'string';
      f.format = 'date-time';
      break;
    case 'isIso8601':
    case 'isDateString':
      f.type = 'string';
      break;
    case 'isIn':
      f.enum = [...(c[0] as unknown[])];
      break;
    case 'isEnum':
      f.enum = (c[1] as unknown[] | undefined) ?? Object.values(c[0] as object);
      break;
    case 'maxLength':
      f.maxLength = stricterMax(f.maxLength, c[0] as number);
      break;
    case 'minLength':
      f.minLength = stricterMin(f.minLength, c[0] as number);
      break;
    case 'isLength':
      f.minLength = stricterMin(f.minLength, c[0] as number);
      if (typeof c[1] === 'number') f.maxLength = stricterMax(f.maxLength, c[1]);
      break;
    case 'isNotEmpty':
      // '' is refused: for text that is a minimum length of 1 (applied to strings only, see below).
      f.minLength = stricterMin(f.minLength, 1);
      break;
    case 'min':
      f.minimum = stricterMin(f.minimum, c[0] as number);
      break;
    case 'max':
      f.maximum = stricterMax(f.maximum, c[0] as number);
      break;
    case 'arrayMinSize':
      f.minItems = stricterMin(f.minItems, c[0] as number);
      break;
    case 'arrayMaxSize':
      f.maxItems = stricterMax(f.maxItems, c[0] as number);
      break;
    case 'matches': {
      const pattern = c[0] instanceof RegExp ? c[0] : new RegExp(String(c[0]), typeof c[1] === 'string' ? c[1] : undefined);
      // OpenAPI patterns have no flags: a case-insensitive or unicode pattern is left to the description.
      if (!pattern.flags) f.pattern = pattern.source;
      f.type = f.type ?? 'string';
      break;
    }
  }
}

type Schema = Record<string, unknown>;

/** What a schema must say to state the facts; a bound already stricter in the schema stays. */
export function mergeFacts(schema: Schema, facts: SchemaFacts): void {
  const type = schema.type as string | undefined;
  const untyped = !type && !schema.$ref && !schema.allOf && !schema.oneOf && !schema.anyOf;
  const bareObject = type === 'object' && !schema.properties && schema.additionalProperties === undefined;
  if (facts.type && (untyped || bareObject || (type === 'number' && facts.type === 'integer'))) {
    if (!(facts.type === 'object' && schema.$ref)) schema.type = facts.type;
  }
  if (facts.type === 'object' && !schema.type && !schema.$ref && !schema.allOf) schema.type = 'object';
  if (facts.format && !schema.format) schema.format = facts.format;
  if (facts.enum) {
    const stated = schema.enum as unknown[] | undefined;
    schema.enum = stated ? stated.filter((v) => facts.enum!.includes(v)) : facts.enum;
    if (!schema.type && !schema.$ref) {
      const kinds = new Set(facts.enum.map((v) => typeof v));
      if (kinds.size === 1) schema.type = kinds.has('number') ? 'number' : kinds.has('boolean') ? 'boolean' : 'string';
    }
  }
  const isText = schema.type === 'string' || (facts.type === 'string' && !schema.type);
  if (isText) {
    if (facts.minLength !== undefined) schema.minLength = stricterMin(schema.minLength as number | undefined, facts.minLength);
    if (facts.maxLength !== undefined) schema.maxLength = stricterMax(schema.maxLength as number | undefined, facts.maxLength);
    if (facts.pattern && !schema.pattern) schema.pattern = facts.pattern;
  }
  if (facts.minimum !== undefined) schema.minimum = stricterMin(schema.minimum as number | undefined, facts.minimum);
  if (facts.maximum !== undefined) schema.maximum = stricterMax(schema.maximum as number | undefined, facts.maximum);
  if (facts.minItems !== undefined) schema.minItems = stricterMin(schema.minItems as number | undefined, facts.minItems);
  if (facts.maxItems !== undefined) schema.maxItems = stricterMax(schema.maxItems as number | undefined, facts.maxItems);
}

/** States one property's facts in its schema (and its items'); returns the schema to keep (nullable refs get wrapped). */
export function mergePropertyFacts(schema: Schema, facts: PropertyFacts): Schema {
  mergeFacts(schema, facts);
  if (Object.keys(facts.items).length) {
    if (schema.type === 'array') {
      const items = (schema.items as Schema | undefined) ?? {};
      mergeFacts(items, facts.items);
      schema.items = items;
    }
  }
  if (!facts.nullable) return schema;
  if (schema.$ref) {
    // OpenAPI 3.0 ignores siblings of $ref: a nullable reference is an allOf of one.
    const { $ref, ...rest } = schema;
    return { ...rest, allOf: [{ $ref }], nullable: true };
  }
  schema.nullable = true;
  return schema;
}
