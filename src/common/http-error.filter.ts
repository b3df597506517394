import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { json, urlencoded, type NextFunction, type Request, type Response } from 'express';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailableCause } from '../database/database-unavailable';
import { DomainError, ERROR_STATUS, FieldProblem } from './domain-error';
import { jsonLimitProblem } from './json-limits';

/** Retry-After (seconds) of a 503 for an unreachable Temporal or provider. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;
/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: Temporal's frontend did not answer. */
const GRPC_UNAVAILABLE = new Set([14, 4]);

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: FieldProblem[];
}

/** The one place where errors become HTTP responses. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(error);
    if (body.statusCode === 503) {
      // A retry hint on every 503: the cause is outside this request and goes away by itself.
      res.setHeader('Retry-After', String(body.code === 'DATABASE_UNAVAILABLE' ? DATABASE_RETRY_AFTER_SECONDS : DEPENDENCY_RETRY_AFTER_SECONDS));
      this.logger.warn(`${body.code}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    } else if (body.statusCode >= 500) this.logger.error(error instanceof Error ? error.stack ?? error.message : String(error));
    res.status(body.statusCode).json(body);
  }

  private toBody(error: unknown): ErrorBody {
    const dbCause = error instanceof DomainError || error instanceof HttpException ? undefined : databaseUnavailableCause(error);
    if (dbCause) {
      return {
        statusCode: 503,
        code: 'DATABASE_UNAVAILABLE',
        message: `the database is unreachable (${dbCause}); this request's transaction did not complete unless its effect is visible; try again in ${DATABASE_RETRY_AFTER_SECONDS} s`,
      };
    }
    if (isTemporalUnavailable(error)) {
      return { statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE', message: `Temporal is unreachable (${(error as Error).message.split('\n')[0]}); try again in ${DEPENDENCY_RETRY_AFTER_SECONDS} s` };
    }
    if (error instanceof DomainError) {
      return {
        statusCode: ERROR_STATUS[error.code],
        code: error.code,
        message: error.message,
        ...(error.details.length ? { details: error.details } : {}),
      };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      const details = (typeof response === 'object' && (response as { details?: FieldProblem[] }).details) || undefined;
      const message =
        typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? error.message);
      return { statusCode: status, code: codeForStatus(status), message, ...(details ? { details } : {}) };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL', message: 'Internal server error' };
  }
}

/** Thrown by the JSON body's verify step; body-parser keeps `status` and `type`. */
class JsonLimitError extends Error {
  readonly status = 400;
  readonly type = 'entity.beyond.limits';
}

/** body-parser's verify hook: refuses JSON beyond the limits of json-limits.ts before it is parsed. */
function refuseCostlyJson(_req: Request, _res: Response, buf: Buffer, encoding: string): void {
  let text: Uint8Array | string = buf;
  if (encoding.toLowerCase() !== 'utf-8') {
    // body-parser accepts any utf-* charset; scan those as text (UTF-8 bytes are scanned as they are).
    try {
      text = new TextDecoder(encoding).decode(buf);
    } catch {
      throw Object.assign(new Error(`unsupported charset "${encoding}"`), { status: 415, type: 'charset.unsupported' });
    }
  }
  const problem = jsonLimitProblem(text);
  if (problem) throw new JsonLimitError(problem);
}

/**
 * Express middleware: parses JSON bodies — and form bodies (application/x-www-form-urlencoded) under
 * /webhooks/ only, as providers such as Twilio post them — and answers parse errors in the same shape
 * as the filter (Nest would otherwise turn them into a bare "Unexpected end of JSON input"). JSON
 * that nests too deeply or holds too many values is refused before parsing (see json-limits.ts);
 * form bodies are flat (extended: false, at most 1000 parameters).
 */
export function jsonBody(limit: string) {
  const form = urlencoded({ extended: false, limit, parameterLimit: 1000 });
  return [
    json({ limit, verify: refuseCostlyJson }),
    (req: Request, res: Response, next: NextFunction) => (req.path.startsWith('/webhooks/') ? form(req, res, next) : next()),
    (err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.parse.failed') {
        res.status(400).json({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'body: malformed JSON', details: [{ field: 'body', problem: 'malformed JSON' }] });
      } else if (err?.type === 'entity.beyond.limits') {
        const problem = err.message ?? 'JSON beyond the limits';
        res.status(400).json({ statusCode: 400, code: 'VALIDATION_FAILED', message: `body: ${problem}`, details: [{ field: 'body', problem }] });
      } else if (err?.type === 'entity.too.large') {
        res.status(413).json({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: `body: larger than ${limit}` });
      } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
        res.status(err.status).json({ statusCode: err.status, code: codeForStatus(err.status), message: `body: ${err.message}` });
      } else {
        next(err);
      }
    },
  ] as const;
}

/** A Temporal client call that failed because the frontend did not answer (not a refused operation). */
function isTemporalUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const grpc = (e: unknown) => typeof (e as { code?: unknown })?.code === 'number' && GRPC_UNAVAILABLE.has((e as { code: number }).code) && typeof (e as { details?: unknown }).details === 'string';
  return (error.name === 'ServiceError' && grpc(error.cause)) || grpc(error);
}

function codeForStatus(status: number): string {
  const entry = Object.entries(ERROR_STATUS).find(([, s]) => s === status);
  return entry ? entry[0] : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
}
