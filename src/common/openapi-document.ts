/**
 * The OpenAPI document, built from the controllers and DTOs and then completed from what the
 * routes themselves say, so that it cannot disagree with them (the console's typed client is
 * generated from it; test/integration/openapi-types.spec.ts checks it):
 *  - security: bearer on every route but those marked @Public() (the marker the AuthGuard reads), or
 *    a stream ticket where the route is marked @AcceptsStreamTicket();
 *  - errors: every route documents the ErrorResponse answers of its shape (400 with parameters or a
 *    body, 401 unless public, 404 with a path id, 413 with a JSON body) plus its @ApiErrors codes;
 *    4xx/5xx declared with the swagger decorators get the ErrorResponse body too;
 *  - success: the documented 2xx status is the one the route answers (@HttpCode, else 201 for POST);
 *  - bounds: the class-validator rules of each body and query DTO (validation-schema.ts).
 */
import type { INestApplication } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { PUBLIC_ROUTE, STREAM_TICKET_ROUTE } from '../modules/auth/actor';
import { API_ERRORS, ERROR_DESCRIPTIONS, ErrorResponse } from './api-errors';
import { ERROR_STATUS, type ErrorCode } from './domain-error';
import { type DtoClass, mergePropertyFacts, validationFacts } from './validation-schema';

export const BEARER_SCHEME = 'bearer';
/** The event stream's alternative to the header: `?ticket=` (routes marked @AcceptsStreamTicket()). */
export const STREAM_TICKET_SCHEME = 'streamTicket';
const ERROR_REF = { $ref: `#/components/schemas/${ErrorResponse.name}` };

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }>; required?: boolean };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
}

/** A route as Nest knows it: its controller, handler and the DTO classes of its body and query. */
export interface RouteInfo {
  controller: DtoClass;
  handler: (...args: never[]) => unknown;
  isPublic: boolean;
  /** Also takes `?ticket=` in place of the header (the event stream). */
  acceptsStreamTicket: boolean;
  successStatus: number;
  errors: Partial<Record<ErrorCode, string>>;
  bodyType?: DtoClass;
  queryType?: DtoClass;
}

/** Every route handler by the operationId Swagger gives it (`<Controller>_<method>`). */
export function collectRoutes(app: INestApplication): Map<string, RouteInfo> {
  const routes = new Map<string, RouteInfo>();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as DtoClass | null;
      if (!controller) continue;
      for (const key of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = Object.getOwnPropertyDescriptor(controller.prototype, key)?.value as RouteInfo['handler'] | undefined;
        if (key === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const paramTypes = (Reflect.getMetadata('design:paramtypes', controller.prototype, key) ?? []) as DtoClass[];
        const typeOf = (kind: RouteParamtypes) => {
          const entry = Object.entries(args).find(([k, a]) => k.split(':')[0] === String(kind) && a.data === undefined);
          return entry ? paramTypes[entry[1].index] : undefined;
        };
        routes.set(`${controller.name}_${key}`, {
          controller,
          handler,
          isPublic: Boolean(Reflect.getMetadata(PUBLIC_ROUTE, handler) ?? Reflect.getMetadata(PUBLIC_ROUTE, controller)),
          acceptsStreamTicket: Boolean(Reflect.getMetadata(STREAM_TICKET_ROUTE, handler)),
          successStatus: (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200),
          errors: { ...(Reflect.getMetadata(API_ERRORS, controller) ?? {}), ...(Reflect.getMetadata(API_ERRORS, handler) ?? {}) },
          bodyType: typeOf(RouteParamtypes.BODY),
          queryType: typeOf(RouteParamtypes.QUERY),
        });
      }
    }
  }
  return routes;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CX Platform API')
      .setDescription(
        'Shared inboxes, conversations and campaigns; every lifecycle runs as a Temporal workflow. ' +
          'Every call but sign-up, login, /health, the public CSAT link and the provider webhooks needs ' +
          '`Authorization: Bearer <token>`: a session token (POST /api/v1/auth/login) or an API token (POST /api/v1/auth/api-tokens). ' +
          'Errors answer `{ statusCode, code, message, details? }` (ErrorResponse).',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A session token or an API token' }, BEARER_SCHEME)
      .addApiKey(
        { type: 'apiKey', in: 'query', name: 'ticket', description: 'GET /api/v1/events only: a single-use stream ticket from POST /api/v1/events/ticket (EventSource cannot send headers)' },
        STREAM_TICKET_SCHEME,
      )
      .build(),
    { extraModels: [ErrorResponse] },
  );
  completeOpenApiDocument(doc, collectRoutes(app));
  return doc;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Completes the document in place from the routes (see the file header). */
export function completeOpenApiDocument(doc: OpenAPIObject, routes: Map<string, RouteInfo>): void {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const stated = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      // An operation Swagger names differently (e.g. @All routes) is described as an authenticated route of its shape.
      const route: RouteInfo | undefined = op.operationId ? routes.get(op.operationId) : undefined;
      const isPublic = route?.isPublic ?? false;

      if (isPublic) delete op.security;
      else op.security = route?.acceptsStreamTicket ? [{ [BEARER_SCHEME]: [] }, { [STREAM_TICKET_SCHEME]: [] }] : [{ [BEARER_SCHEME]: [] }];

      if (route) moveSuccessToRealStatus(op, route.successStatus);

      const jsonBody = Boolean(op.requestBody?.content?.['application/json']);
      const codes: Partial<Record<ErrorCode, string>> = {};
      if (op.parameters?.length || op.requestBody) codes.VALIDATION_FAILED = '';
      if (!isPublic) codes.UNAUTHENTICATED = '';
      if (/\{[^}]+\}/.test(path)) codes.NOT_FOUND = '';
      if (jsonBody) codes.PAYLOAD_TOO_LARGE = 'The JSON body is larger than 1 MB';
      Object.assign(codes, route?.errors);
      for (const [code, reason] of Object.entries(codes) as [ErrorCode, string][]) {
        const status = String(ERROR_STATUS[code]);
        const response = (op.responses[status] ??= { description: '' });
        response.description = reason || response.description || ERROR_DESCRIPTIONS[code];
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (/^[45]\d\d$/.test(status) && !response.content) {
          response.content = { 'application/json': { schema: ERROR_REF } };
          if (!response.description) response.description = ERROR_DESCRIPTIONS[codeOf(Number(status))] ?? '';
        }
      }
      op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));

      if (route?.queryType) stateQueryFacts(op, route.queryType);
      const bodyRef = op.requestBody?.content?.['application/json']?.schema?.$ref as string | undefined;
      if (route?.bodyType && bodyRef) stateSchemaFacts(schemas, bodyRef.split('/').pop()!, route.bodyType, stated);
    }
  }
  // DTOs reached only through others (nested settings, items) are stated by name.
  for (const cls of validatedClasses()) if (schemas[cls.name]) stateSchemaFacts(schemas, cls.name, cls, stated);
}

function codeOf(status: number): ErrorCode {
  return (Object.entries(ERROR_STATUS).find(([, s]) => s === status)?.[0] ?? 'VALIDATION_FAILED') as ErrorCode;
}

/** A 2xx declared under another status than the route answers (e.g. @ApiOkResponse on a POST answering 201) moves there. */
function moveSuccessToRealStatus(op: Operation, real: number): void {
  const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
  if (success.includes(String(real)) || success.length !== 1) return;
  op.responses[String(real)] = op.responses[success[0]];
  delete op.responses[success[0]];
}

function stateQueryFacts(op: Operation, queryType: DtoClass): void {
  for (const [name, facts] of validationFacts(queryType)) {
    const param = op.parameters?.find((p) => p.in === 'query' && p.name === name);
    if (!param) continue;
    param.required = facts.required;
    param.schema = mergePropertyFacts(param.schema ?? {}, { ...facts, nullable: false });
  }
}

function stateSchemaFacts(schemas: Record<string, Schema>, name: string, cls: DtoClass, stated: Set<string>): void {
  const schema = schemas[name];
  if (!schema || stated.has(name)) return;
  stated.add(name);
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [prop, facts] of validationFacts(cls)) {
    if (!properties[prop]) continue;
    properties[prop] = mergePropertyFacts(properties[prop], facts);
    if (facts.required) required.add(prop);
    else required.delete(prop);
  }
  if (required.size) schema.required = [...required];
  else delete schema.required;
}

/** Every class with class-validator rules of its own (DTOs and their nested parts). */
export function validatedClasses(): DtoClass[] {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<DtoClass, unknown[]> };
  return [...storage.validationMetadatas.keys()].filter((c) => typeof c === 'function');
}
