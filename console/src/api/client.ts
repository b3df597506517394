/**
 * The typed API client: `api.GET('/api/v1/inboxes')`, `api.POST('/api/v1/inboxes', { body })`…
 * Paths, parameters, bodies and answers come from schema.d.ts (generated: `npm run generate:api`),
 * so no request or response type is written by hand. Use `unwrap()` to get the data or throw an
 * ApiError, which TanStack Query hands to `error` / `onError`.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { session } from '../auth/session';
import type { components, paths } from './schema';

/** Every schema of the document by name: `Schemas['InboxView']`. */
export type Schemas = components['schemas'];
export type ErrorResponse = Schemas['ErrorResponse'];

/** A 4xx/5xx answer of the API, with its ErrorResponse body (statusCode, code, message, details by field). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorResponse,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }

  get code(): string {
    return this.body.code;
  }

  get details(): NonNullable<ErrorResponse['details']> {
    return this.body.details ?? [];
  }
}

/** Adds the session token; a 401 on a call made with it ends the session (the router shows the login page). */
const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) session.clear();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

function isErrorResponse(body: unknown): body is ErrorResponse {
  return typeof body === 'object' && body !== null && typeof (body as ErrorResponse).message === 'string' && typeof (body as ErrorResponse).code === 'string';
}

/**
 * The data of an openapi-fetch call, or throws an ApiError:
 *   const inboxes = await unwrap(api.GET('/api/v1/inboxes'));
 */
export async function unwrap<D, E>(call: Promise<{ data?: D; error?: E; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body: ErrorResponse = isErrorResponse(error)
      ? error
      : { statusCode: response.status, code: response.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', message: `${response.status} ${response.statusText}`.trim() };
    throw new ApiError(response.status, body);
  }
  return data as D;
}
