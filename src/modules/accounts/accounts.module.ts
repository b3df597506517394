import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { GetAccountUseCase } from './use-cases/get-account.use-case';
import { SignUpUseCase } from './use-cases/sign-up.use-case';
import { UpdateAccountUseCase } from './use-cases/update-account.use-case';

@Module({ controllers: [AccountsController], providers: [SignUpUseCase, GetAccountUseCase, UpdateAccountUseCase] })
export class AccountsModule {}
