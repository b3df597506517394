import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { json, urlencoded, type NextFunction, type Request, type Response } from 'express';
import { DomainError, ERROR_STATUS, FieldProblem } from './domain-error';

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
    if (body.statusCode >= 500) this.logger.error(error instanceof Error ? error.stack ?? error.message : String(error));
    res.status(body.statusCode).json(body);
  }

  private toBody(error: unknown): ErrorBody {
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

/**
 * Express middleware: parses JSON bodies — and form bodies (application/x-www-form-urlencoded) under
 * /webhooks/ only, as providers such as Twilio post them — and answers parse errors in the same shape
 * as the filter (Nest would otherwise turn them into a bare "Unexpected end of JSON input").
 */
export function jsonBody(limit: string) {
  const form = urlencoded({ extended: false, limit, parameterLimit: 1000 });
  return [
    json({ limit }),
    (req: Request, res: Response, next: NextFunction) => (req.path.startsWith('/webhooks/') ? form(req, res, next) : next()),
    (err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.parse.failed') {
        res.status(400).json({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'body: malformed JSON', details: [{ field: 'body', problem: 'malformed JSON' }] });
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

function codeForStatus(status: number): string {
  const entry = Object.entries(ERROR_STATUS).find(([, s]) => s === status);
  return entry ? entry[0] : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
}
