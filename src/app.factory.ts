import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { HttpErrorFilter, jsonBody } from './common/http-error.filter';
import { RejectNulCharacters } from './common/nul-character';
import { createValidationPipe } from './common/validation';
import type { ServiceConfig } from './config/config';
import { logLevels } from './config/log-levels';

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
  // NUL in a route parameter, the query or the body: a 400 naming the field, before any pipe.
  app.useGlobalInterceptors(new RejectNulCharacters());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks();
  (app.getHttpAdapter().getInstance() as import('express').Application).set('trust proxy', config.trustProxy); // TRUST_PROXY: whose X-Forwarded-For names the client
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CX Platform API')
      .setDescription('Shared inboxes, conversations and campaigns; every lifecycle runs as a Temporal workflow.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
