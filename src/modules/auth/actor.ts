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

export const STREAM_TICKET_ROUTE = 'cx:stream-ticket';
/**
 * The route also takes `?ticket=<stream ticket>` (POST /api/v1/events/ticket) in place of the
 * Authorization header: browsers' EventSource cannot send headers. The ticket is single-use and lives
 * LIVE_EVENTS_TICKET_TTL_SECONDS, so a URL that reaches a log is worthless.
 */
export const AcceptsStreamTicket = () => SetMetadata(STREAM_TICKET_ROUTE, true);

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<{ actor: Actor }>().actor;
});
