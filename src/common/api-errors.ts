/**
 * The error answers in the OpenAPI document. Every 4xx/5xx body is the HttpErrorFilter's
 * `{ statusCode, code, message, details? }` (ErrorResponse below). What a route can answer besides
 * the answers of its shape (400 for parameters or a body, 401 without a token, 404 for a path id,
 * 413 for a JSON body; see openapi-document.ts) is declared with @ApiErrors next to the route: the
 * DomainError codes its use case throws, optionally with the reason in words.
 */
import { SetMetadata } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_STATUS, type ErrorCode } from './domain-error';

/**
 * Codes the filter can answer beyond the DomainError codes: another 4xx of Express or Nest, any crash,
 * and DATABASE_UNAVAILABLE (503 with Retry-After: PostgreSQL could not be reached, on any route).
 */
export const ERROR_RESPONSE_CODES = [...(Object.keys(ERROR_STATUS) as ErrorCode[]), 'BAD_REQUEST', 'INTERNAL', 'DATABASE_UNAVAILABLE'] as const;

export class FieldProblemView {
  @ApiProperty({ description: 'The field, parameter or header, as sent (nested: a.b, items: tags[2])', example: 'admin.email' })
  field!: string;

  @ApiProperty({ description: 'What is wrong with it, in words', example: 'must be an email' })
  problem!: string;

  @ApiPropertyOptional({ format: 'uuid', description: '409 on a contact: the contact that already has this email or phone' })
  contactId?: string;
}

export class ErrorResponse {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400, description: 'The HTTP status, repeated' })
  statusCode!: number;

  @ApiProperty({ enum: ERROR_RESPONSE_CODES, example: 'VALIDATION_FAILED', description: 'Stable error code (one per status; 503 is DEPENDENCY_UNAVAILABLE or DATABASE_UNAVAILABLE, both with Retry-After)' })
  code!: string;

  @ApiProperty({ description: 'What went wrong, naming the field or the missing role or setting', example: 'admin.email: must be an email' })
  message!: string;

  @ApiPropertyOptional({ type: [FieldProblemView], description: 'One entry per field with a problem' })
  details?: FieldProblemView[];
}

/** What each code means when a route gives no reason of its own. */
export const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'A parameter, query value or body field is invalid; `details` names each field and its problem',
  UNAUTHENTICATED: 'No bearer token, or it is unknown, expired or revoked',
  FORBIDDEN: 'The caller lacks the role (or the account setting is off); the message names what is needed',
  NOT_FOUND: 'The resource does not exist or belongs to another account',
  CONFLICT: 'The change conflicts with the current state; the message names the field',
  PAYLOAD_TOO_LARGE: 'The body is larger than the server accepts',
  UNPROCESSABLE: 'Valid, but not possible in the current state; the message says why',
  RATE_LIMITED: 'Too many requests; try again later',
  DEPENDENCY_UNAVAILABLE: 'A service the request needs (Temporal, a provider, the model) did not answer; try again',
};

export const API_ERRORS = 'cx:api-errors';

export type ApiErrorSpec = ErrorCode | Partial<Record<ErrorCode, string>>;

/**
 * The DomainError codes a route (or every route of a controller) answers beyond those of its shape,
 * e.g. `@ApiErrors('FORBIDDEN', { CONFLICT: 'the campaign is no longer a draft' })`. Method and
 * class declarations add up; a reason given on the method wins.
 */
export function ApiErrors(...errors: ApiErrorSpec[]): ClassDecorator & MethodDecorator {
  const reasons: Partial<Record<ErrorCode, string>> = {};
  for (const e of errors) {
    if (typeof e === 'string') reasons[e] = reasons[e] ?? '';
    else Object.assign(reasons, e);
  }
  return SetMetadata(API_ERRORS, reasons);
}
