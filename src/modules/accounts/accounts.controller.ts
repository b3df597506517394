import { Body, Controller, Get, Patch, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import type { Request } from 'express';
import { type Actor, CurrentActor, Public } from '../auth/actor';
import { UserView } from '../users/dto/user.dto';
import { AccountView, SignUpDto, UpdateAccountDto } from './dto/account.dto';
import { GetAccountUseCase } from './use-cases/get-account.use-case';
import { SignUpUseCase } from './use-cases/sign-up.use-case';
import { UpdateAccountUseCase } from './use-cases/update-account.use-case';

class SignUpView {
  @ApiProperty({ type: AccountView }) account!: AccountView;
  @ApiProperty({ type: UserView }) user!: UserView;
  @ApiProperty({ description: 'Session token of the new administrator' }) token!: string;
}

@ApiTags('accounts')
@Controller('api/v1')
export class AccountsController {
  constructor(
    private readonly signUp: SignUpUseCase,
    private readonly getAccount: GetAccountUseCase,
    private readonly updateAccount: UpdateAccountUseCase,
  ) {}

  @Public()
  @Post('accounts')
  @ApiOperation({ summary: 'Sign up: a new account and its first administrator, logged in (SIGNUP_MAX_PER_HOUR per client address)' })
  @ApiCreatedResponse({ type: SignUpView })
  @ApiErrors({
    CONFLICT: 'admin.email cannot be used for a new account',
    RATE_LIMITED: 'More than SIGNUP_MAX_PER_HOUR sign-ups from this client address in the last hour',
  })
  async create(@Body() body: SignUpDto, @Req() req: Request): Promise<SignUpView> {
    const { account, user, token } = await this.signUp.execute({ ...body, clientAddress: req.ip ?? 'unknown' });
    return { account: AccountView.of(account), user: UserView.of(user), token };
  }
  @Get('account')
  @ApiOperation({ summary: "The caller's account: contact details and settings" })
  @ApiOkResponse({ type: AccountView })
  async get(@CurrentActor() actor: Actor): Promise<AccountView> {
    return AccountView.of(await this.getAccount.execute({ actor }));
  }
  @Patch('account')
  @ApiOperation({ summary: 'Change the account (administrators); settings are merged into the stored ones' })
  @ApiOkResponse({ type: AccountView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async update(@CurrentActor() actor: Actor, @Body() body: UpdateAccountDto): Promise<AccountView> {
    return AccountView.of(await this.updateAccount.execute({ ...body, actor }));
  }
}
