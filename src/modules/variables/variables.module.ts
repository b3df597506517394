import { Global, Module } from '@nestjs/common';
import { ListVariablesUseCase } from './use-cases/list-variables.use-case';
import { VariablesController } from './variables.controller';
import { VariablesService } from './variables.service';

/** The one variable renderer, for every module (global: inboxes, accounts, conversations, saved replies). */
@Global()
@Module({ controllers: [VariablesController], providers: [VariablesService, ListVariablesUseCase], exports: [VariablesService] })
export class VariablesModule {}
