import type { LogLevel } from '@nestjs/common';
import type { ServiceConfig } from './config';

/** The Nest log levels that LOG_LEVEL lets through (the API and the worker log alike). */
export function logLevels(level: ServiceConfig['logLevel']): LogLevel[] {
  const order: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];
  return order.slice(0, order.indexOf(level) + 1);
}

/** LOG_LEVEL in the Temporal SDK's words (the worker's Runtime logger). */
export function sdkLogLevel(level: ServiceConfig['logLevel']): 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE' {
  return ({ error: 'ERROR', warn: 'WARN', log: 'INFO', debug: 'DEBUG', verbose: 'TRACE' } as const)[level];
}
