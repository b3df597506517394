import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, ServiceConfig } from './config';

/** Provides the configuration validated at boot (see config.ts) under APP_CONFIG. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
