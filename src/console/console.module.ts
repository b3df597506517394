import { Module } from '@nestjs/common';
import { ConsoleConfigController } from './console.controller';

/** The console's API (its settings); the built console itself is served by serve-console.ts. */
@Module({ controllers: [ConsoleConfigController] })
export class ConsoleModule {}
