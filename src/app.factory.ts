import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { HttpErrorFilter, jsonBody } from './common/http-error.filter';
import { buildOpenApiDocument } from './common/openapi-document';
import { RejectNulCharacters } from './common/nul-character';
import { createValidationPipe } from './common/validation';
import type { ServiceConfig } from './config/config';
import { logLevels } from './config/log-levels';
import { serveConsole } from './console/serve-console';

/** The API application, configured the same way for `main.ts` and for tests. */
export async function createApiApp(config: ServiceConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: logLevels(config.logLevel),
    bodyParser: false,
    // Throw instead of calling process.exit, so callers (main.ts, tests) decide.
    abortOnError: false,
  });
  // JSON nested too deeply or holding too many values is refused before it is parsed (json-limits.ts).
  app.use(...jsonBody('1mb'));
  // The built console at / with deep links falling back to index.html; /api, /health, /webhooks untouched.
  app.use(...serveConsole());
  // NUL in a route parameter, the query or the body: a 400 naming the field, before any pipe.
  app.useGlobalInterceptors(new RejectNulCharacters());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks();
  (app.getHttpAdapter().getInstance() as import('express').Application).set('trust proxy', config.trustProxy); // TRUST_PROXY: whose X-Forwarded-For names the client
  // Built from the controllers and DTOs, completed from the routes (security, errors, bounds): openapi-document.ts.
  const doc = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
