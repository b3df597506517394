import { applyDecorators, BadRequestException, ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';
import { Type } from 'class-transformer';
import { getMetadataStorage, IsObject, ValidateNested, type ValidatorOptions } from 'class-validator';
import type { FieldProblem } from './domain-error';

export const REQUIRED_PROBLEM = 'is required';
export const NOT_NULL_PROBLEM = 'must not be null';

/**
 * One problem per field. A field that is missing is "is required" (its constraints would otherwise
 * speak of lengths or formats of a value that is not there). Otherwise the problem is the first
 * failing constraint in the order the decorators are written — type first (@IsString, @IsInt,
 * @IsObject), then content (@IsNotEmpty, @MaxLength, ...). class-validator records constraints bottom
 * up, so that is the last one recorded; stopAtFirstError would report the bottom one
 * ("content must be shorter than 100000 characters" for a number or a missing field).
 * A field that is wrong as a whole is not described further by its children's problems.
 */
function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    // @ValidateNested's own complaint ("nested property x must be either object or array") is
    // recorded after every other constraint; @IsObject says it better.
    const { nestedValidation, ...own } = e.constraints ?? {};
    const constraints = Object.values(own).length ? Object.values(own) : nestedValidation ? [nestedValidation] : [];
    if (constraints.length > 0) {
      const whitelist = own.whitelistValidation;
      const problem = whitelist ?? (e.value === undefined ? REQUIRED_PROBLEM : constraints[constraints.length - 1]);
      return [{ field, problem }];
    }
    return flatten(e.children ?? [], field);
  });
}

interface PropertyRule {
  type: string;
  name?: string;
  propertyName: string;
  each?: boolean;
  constraints: unknown[];
}

/**
 * class-validator's @IsOptional lets null through as well as a missing value, so `{"name": null}`
 * reached the use cases and failed in the database (NOT NULL: a 500). Our DTOs say where null is
 * allowed with @ValidateIf((_o, v) => v !== null) next to @IsOptional; a null on any other optional
 * field is "must not be null". Nested DTO instances are checked the same way.
 */
function nullsNotAllowed(object: object): ValidationError[] {
  const rules = getMetadataStorage().getTargetValidationMetadatas(object.constructor, '', true, false) as unknown as PropertyRule[];
  const errors: ValidationError[] = [];
  for (const [property, value] of Object.entries(object)) {
    const own = rules.filter((r) => r.propertyName === property);
    if (value === null) {
      const optional = own.some((r) => r.type === 'conditionalValidation' && r.name === 'isOptional');
      const nullSkipsValidation = own.some(
        (r) => r.type === 'conditionalValidation' && r.name !== 'isOptional' && !(r.constraints[0] as (o: object, v: unknown) => boolean)(object, null),
      );
      if (optional && !nullSkipsValidation) errors.push({ property, value, constraints: { notNull: NOT_NULL_PROBLEM }, children: [] } as ValidationError);
      continue;
    }
    if (!own.some((r) => r.type === 'nestedValidation') || value === undefined) continue;
    const items: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : [['', value]];
    const children = items.flatMap(([index, item]) => {
      if (item === null || typeof item !== 'object') return [];
      const nested = nullsNotAllowed(item);
      return index === '' ? nested : nested.length ? [{ property: index, value: item, children: nested } as ValidationError] : [];
    });
    if (children.length) errors.push({ property, value, children } as ValidationError);
  }
  return errors;
}

class ValidationPipeWithoutStrayNulls extends ValidationPipe {
  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    return errors.length ? errors : nullsNotAllowed(object);
  }
}

/** Global pipe: unknown fields are rejected, every problem names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipeWithoutStrayNulls({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Every constraint of a field runs so that flatten can pick the one written first (see there).
    stopAtFirstError: false,
    // Keep each error's value (Nest strips it from errors with children): flatten tells a missing
    // field by it. The values never reach the response.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return new BadRequestException({
        message: details.map((d) => `${d.field}: ${d.problem}`).join('; '),
        details,
      });
    },
  });
}

/**
 * A field holding one object of a DTO class. @ValidateNested alone accepts an array (it validates
 * each element, so [] passes: `settings: []` switched an inbox's routing off) and skips a missing
 * value; @IsObject refuses both, so a missing one is "is required" unless the field is @IsOptional.
 */
export function NestedObject(type: () => new () => object): PropertyDecorator {
  return applyDecorators(IsObject({ message: 'must be an object' }), ValidateNested(), Type(type));
}

/** A list of objects of a DTO class: each item must be an object (see NestedObject). Put @IsArray above it. */
export function NestedObjects(type: () => new () => object): PropertyDecorator {
  return applyDecorators(IsObject({ each: true, message: 'each item must be an object' }), ValidateNested({ each: true }), Type(type));
}

/** A path parameter that must be a UUID; the 400 names the parameter. */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new BadRequestException({ message: `${name}: must be a UUID`, details: [{ field: name, problem: 'must be a UUID' }] }),
  });
}
