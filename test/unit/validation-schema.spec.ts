/** The class-validator rules of a DTO, read as OpenAPI facts and merged into a schema (src/common/validation-schema.ts). */
import 'reflect-metadata';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { mergePropertyFacts, validationFacts } from '../../src/common/validation-schema';

class Window {
  @Matches(/^\d\d:\d\d$/) start!: string;
}

class Sample {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString() @MaxLength(40) phone?: string | null;
  @IsOptional() @IsInt() @Min(1) @Max(1000) rate?: number;
  @IsIn(['a', 'b']) kind!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(20, { each: true }) tags?: string[];
  @IsOptional() @ValidateIf((_o, v) => v !== null) @IsObject() @ValidateNested() window?: Window | null;
  @ValidateIf((o: Sample) => o.kind === 'a') @IsUUID() targetId?: string;
  @IsOptional() @Matches(/^me$/i) who?: string;
}

test('reads types, bounds, enums, item rules, required and nullable from the validators', () => {
  const facts = validationFacts(Sample);
  expect(facts.get('name')).toMatchObject({ type: 'string', minLength: 1, maxLength: 200, required: true, nullable: false });
  expect(facts.get('phone')).toMatchObject({ type: 'string', maxLength: 40, required: false, nullable: true });
  expect(facts.get('rate')).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, required: false, nullable: false });
  expect(facts.get('kind')).toMatchObject({ enum: ['a', 'b'], required: true });
  expect(facts.get('tags')).toMatchObject({ type: 'array', maxItems: 50, items: { type: 'string', maxLength: 20 }, required: false });
  expect(facts.get('window')).toMatchObject({ type: 'object', nested: true, nullable: true, required: false });
  // A condition other than "not null" makes the field optional, not nullable.
  expect(facts.get('targetId')).toMatchObject({ type: 'string', format: 'uuid', required: false, nullable: false });
  // OpenAPI patterns have no flags: a case-insensitive pattern is not stated.
  expect(facts.get('who')?.pattern).toBeUndefined();
  expect(validationFacts(Window).get('start')?.pattern).toBe('^\\d\\d:\\d\\d$');
});

test('merges the facts into a schema, keeping bounds that are already stricter', () => {
  const facts = validationFacts(Sample);
  // `string | null` reaches Swagger as design type Object: the validators give the real type.
  expect(mergePropertyFacts({ type: 'object' }, facts.get('phone')!)).toEqual({ type: 'string', maxLength: 40, nullable: true });
  expect(mergePropertyFacts({ type: 'number', minimum: 5 }, facts.get('rate')!)).toEqual({ type: 'integer', minimum: 5, maximum: 1000 });
  expect(mergePropertyFacts({ type: 'array', items: { type: 'string' } }, facts.get('tags')!)).toEqual({
    type: 'array',
    maxItems: 50,
    items: { type: 'string', maxLength: 20 },
  });
  expect(mergePropertyFacts({ type: 'string', enum: ['a', 'b', 'c'] }, facts.get('kind')!)).toEqual({ type: 'string', enum: ['a', 'b'] });
  // A nullable reference: OpenAPI 3.0 ignores siblings of $ref, so it becomes an allOf of one.
  expect(mergePropertyFacts({ $ref: '#/components/schemas/Window', description: 'd' }, facts.get('window')!)).toEqual({
    description: 'd',
    allOf: [{ $ref: '#/components/schemas/Window' }],
    nullable: true,
  });
});
