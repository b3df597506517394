import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
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
  async loginRoute(@Body() body: LoginDto, @Req() req: Request): Promise<SessionView> {
    const { token, user } = await this.login.execute({ email: body.email, password: body.password, clientAddress: req.ip ?? 'unknown' });
    return { token, user: UserView.of(user) };
  }

  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(204)
  async logoutRoute(@CurrentActor() actor: Actor): Promise<void> {
    await this.logout.execute({ actor });
  }

  @ApiBearerAuth()
  @Get('me')
  async me(@CurrentActor() actor: Actor): Promise<UserView> {
    return UserView.of(await this.getCurrentUser.execute({ actor }));
  }

  @ApiBearerAuth()
  @Post('api-tokens')
  async createToken(@CurrentActor() actor: Actor, @Body() body: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    const { token, record } = await this.createApiToken.execute({ actor, name: body.name });
    return { ...ApiTokenView.of(record), token };
  }

  @ApiBearerAuth()
  @Get('api-tokens')
  async listTokens(@CurrentActor() actor: Actor): Promise<ApiTokenView[]> {
    return (await this.listApiTokens.execute({ actor })).map(ApiTokenView.of);
  }

  @ApiBearerAuth()
  @Delete('api-tokens/:id')
  @HttpCode(204)
  async revokeToken(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.revokeApiToken.execute({ actor, tokenId: id });
  }
}
