import { Global, Module } from '@nestjs/common';
import { VariablesController } from './variables.controller';
import { VariablesService } from './variables.service';

/** The one variable renderer, for every module (global: inboxes, accounts, conversations, saved replies). */
@Global()
@Module({ controllers: [VariablesController], providers: [VariablesService], exports: [VariablesService] })
export class VariablesModule {}
