import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { hashToken } from '../../auth/token';

export interface StreamTicket {
  ticket: string;
  expiresAt: string;
  /** Where to open the stream with it. */
  url: string;
}

/**
 * A single-use ticket that opens one event stream as the caller (GET /api/v1/events?ticket=...), for
 * clients that cannot send an Authorization header (browsers' EventSource). It is stored hashed in
 * PostgreSQL, so any API replica takes it, lives LIVE_EVENTS_TICKET_TTL_SECONDS, and dies with the token
 * that asked for it. The stream re-checks that token while it runs.
 */
@Injectable()
export class CreateStreamTicketUseCase {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ actor }: { actor: Actor }): Promise<StreamTicket> {
    const ticket = `cxt_${randomBytes(32).toString('base64url')}`;
    const [row] = await this.em.fork().execute<{ expires_at: Date }[]>(
      `insert into live_event_tickets (ticket_hash, token_id, expires_at) values (?, ?, now() + make_interval(secs => ?)) returning expires_at`,
      [hashToken(ticket), actor.tokenId, this.config.liveEvents.ticketTtlSeconds],
    );
    return { ticket, expiresAt: new Date(row.expires_at).toISOString(), url: `/api/v1/events?ticket=${ticket}` };
  }
}
