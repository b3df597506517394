import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import type { Request } from 'express';
import { uuidParam } from '../../common/validation';
import { UserView } from '../users/dto/user.dto';
import { type Actor, CurrentActor, Public } from './actor';
import { ApiTokenView, CreateApiTokenDto, LoginDto } from './dto/auth.dto';
import { CreateApiTokenUseCase } from './use-cases/create-api-token.use-case';
import { GetCurrentUserUseCase } from './use-cases/get-current-user.use-case';
import { ListApiTokensUseCase } from './use-cases/list-api-tokens.use-case';
import { LoginUseCase } from './use-cases/login.use-case';
import { LogoutUseCase } from './use-cases/logout.use-case';
import { RevokeApiTokenUseCase } from './use-cases/revoke-api-token.use-case';

class SessionView {
  @ApiProperty({ description: 'Bearer token for Authorization; shown once' }) token!: string;
  @ApiProperty({ type: UserView }) user!: UserView;
}

class CreatedApiTokenView extends ApiTokenView {
  @ApiProperty({ description: 'Shown once; store it safely' }) token!: string;
}

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly login: LoginUseCase,
    private readonly logout: LogoutUseCase,
    private readonly createApiToken: CreateApiTokenUseCase,
    private readonly listApiTokens: ListApiTokensUseCase,
    private readonly revokeApiToken: RevokeApiTokenUseCase,
    private readonly getCurrentUser: GetCurrentUserUseCase,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in: a session token (sliding expiry SESSION_TTL_HOURS)' })
  @ApiOkResponse({ type: SessionView })
  @ApiErrors({
    UNAUTHENTICATED: 'The email or password is wrong (or the user is disabled)',
    RATE_LIMITED: 'Too many failed logins for this email or client address (LOGIN_MAX_FAILURES per LOGIN_WINDOW_SECONDS)',
  })
  async loginRoute(@Body() body: LoginDto, @Req() req: Request): Promise<SessionView> {
    const { token, user } = await this.login.execute({ email: body.email, password: body.password, clientAddress: req.ip ?? 'unknown' });
    return { token, user: UserView.of(user) };
  }
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of the token used (an API token is revoked)' })
  @ApiNoContentResponse()
  async logoutRoute(@CurrentActor() actor: Actor): Promise<void> {
    await this.logout.execute({ actor });
  }
  @Get('me')
  @ApiOperation({ summary: 'The calling user' })
  @ApiOkResponse({ type: UserView })
  async me(@CurrentActor() actor: Actor): Promise<UserView> {
    return UserView.of(await this.getCurrentUser.execute({ actor }));
  }
  @Post('api-tokens')
  @ApiOperation({ summary: 'Create a long-lived API token for integrations (shown once, stored hashed)' })
  @ApiCreatedResponse({ type: CreatedApiTokenView })
  @ApiErrors({ FORBIDDEN: 'Needs a session login: API tokens cannot manage tokens' })
  async createToken(@CurrentActor() actor: Actor, @Body() body: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    const { token, record } = await this.createApiToken.execute({ actor, name: body.name });
    return { ...ApiTokenView.of(record), token };
  }
  @Get('api-tokens')
  @ApiOperation({ summary: "The caller's API tokens (never the tokens themselves)" })
  @ApiOkResponse({ type: [ApiTokenView] })
  @ApiErrors({ FORBIDDEN: 'Needs a session login: API tokens cannot manage tokens' })
  async listTokens(@CurrentActor() actor: Actor): Promise<ApiTokenView[]> {
    return (await this.listApiTokens.execute({ actor })).map(ApiTokenView.of);
  }
  @Delete('api-tokens/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API token (its owner, or an administrator)' })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: "Needs a session login; another user's token needs the administrator role" })
  async revokeToken(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.revokeApiToken.execute({ actor, tokenId: id });
  }
}
