import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { uuidParam } from '../../common/validation';
import { ApiTags } from '@nestjs/swagger';
import { AccountView, CreateAccountDto } from './dto/account.dto';
import { CreateAccountUseCase } from './use-cases/create-account.use-case';
import { GetAccountUseCase } from './use-cases/get-account.use-case';

@ApiTags('accounts')
@Controller('api/v1/accounts')
export class AccountsController {
  constructor(
    private readonly createAccount: CreateAccountUseCase,
    private readonly getAccount: GetAccountUseCase,
  ) {}

  @Post()
  async create(@Body() body: CreateAccountDto): Promise<AccountView> {
    return AccountView.of(await this.createAccount.execute(body));
  }

  @Get(':id')
  async get(@Param('id', uuidParam('id')) id: string): Promise<AccountView> {
    return AccountView.of(await this.getAccount.execute(id));
  }
}
