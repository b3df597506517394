import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { CreateAccountUseCase } from './use-cases/create-account.use-case';
import { GetAccountUseCase } from './use-cases/get-account.use-case';

@Module({
  controllers: [AccountsController],
  providers: [CreateAccountUseCase, GetAccountUseCase],
})
export class AccountsModule {}
