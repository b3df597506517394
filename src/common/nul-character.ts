import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { DomainError } from './domain-error';

/**
 * PostgreSQL's text (and jsonb) cannot hold the NUL character: a "\u0000" anywhere in a value we
 * store ended as a 500 from the database on about 30 endpoints (sign-up, the public CSAT link, ...).
 * Rather than a check per DTO, every request's route parameters, query and body (JSON or form) are
 * walked once, after routing and before any pipe or handler, and the first NUL is a 400 naming its
 * field: `admin.name: must not contain the NUL character (\u0000)`.
 */
export const NUL_PROBLEM = 'must not contain the NUL character (\\u0000)';

/** The path of the first string (or object key) in `value` that contains NUL, or null. */
export function findNulCharacter(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulCharacter(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      // Request bodies nest at most MAX_JSON_DEPTH levels (json-limits.ts), so this recursion is shallow.
      const at = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return at;
      const found = findNulCharacter(item, at);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Global interceptor: refuses NUL in route parameters, the query and the body (see above). */
@Injectable()
export class RejectNulCharacters implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<Request>();
      const field = findNulCharacter(req.params, '') ?? findNulCharacter(req.query, '') ?? findNulCharacter(req.body, '');
      if (field !== null) throw DomainError.invalid(field.split('\u0000').join('\\u0000') || 'body', NUL_PROBLEM);
    }
    return next.handle();
  }
}
