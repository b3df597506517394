import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, ServiceConfig } from '../../config/config';
import { AccessPolicy } from './access-policy';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { LOGIN_THROTTLE_OPTIONS, LoginThrottle } from './login-throttle';
import { PresenceEvents } from './presence-events';
import { RateLimitCounters } from './rate-limit-counters';
import { CreateApiTokenUseCase } from './use-cases/create-api-token.use-case';
import { GetCurrentUserUseCase } from './use-cases/get-current-user.use-case';
import { ListApiTokensUseCase } from './use-cases/list-api-tokens.use-case';
import { LoginUseCase } from './use-cases/login.use-case';
import { LogoutUseCase } from './use-cases/logout.use-case';
import { RevokeApiTokenUseCase } from './use-cases/revoke-api-token.use-case';

/** Authentication (guard on every route), the access policy, presence events and rate-limit counters, for every module. */
@Global()
@Module({
  controllers: [AuthController],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    {
      provide: LOGIN_THROTTLE_OPTIONS,
      inject: [APP_CONFIG],
      useFactory: (c: ServiceConfig) => ({ maxFailures: c.auth.loginMaxFailures, windowMs: c.auth.loginWindowSeconds * 1000 }),
    },
    RateLimitCounters,
    LoginThrottle,
    AccessPolicy,
    PresenceEvents,
    LoginUseCase,
    LogoutUseCase,
    CreateApiTokenUseCase,
    ListApiTokensUseCase,
    RevokeApiTokenUseCase,
    GetCurrentUserUseCase,
  ],
  exports: [AccessPolicy, PresenceEvents, RateLimitCounters, LoginThrottle],
})
export class AuthModule {}
