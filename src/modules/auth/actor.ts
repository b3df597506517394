import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

/** Who is calling: resolved from the bearer token by AuthGuard. */
export interface Actor {
  userId: string;
  accountId: string;
  name: string;
  isAdmin: boolean;
  tokenId: string;
  tokenKind: 'session' | 'api';
}

export const PUBLIC_ROUTE = 'cx:public';
/** The route needs no token (login, sign-up, health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<{ actor: Actor }>().actor;
});
