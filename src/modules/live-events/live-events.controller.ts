import { Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { DomainError } from '../../common/domain-error';
import { AcceptsStreamTicket, type Actor, CurrentActor } from '../auth/actor';
import { LIVE_EVENT_SCHEMA, LIVE_EVENT_TYPES, LiveEventsQuery, StreamTicketView } from './dto/live-event.dto';
import { CreateStreamTicketUseCase } from './use-cases/create-stream-ticket.use-case';
import { OpenEventStreamUseCase } from './use-cases/open-event-stream.use-case';

const STREAM_DESCRIPTION = [
  'Server-sent events (text/event-stream) of the inboxes the caller may see: conversation.created / updated / deleted / assigned / unassigned,',
  'message.created / updated, presence.changed (account-wide), campaign.progress (managers of the sending inbox and administrators,',
  'at most one per campaign every LIVE_EVENTS_CAMPAIGN_PROGRESS_MS) and access.changed (to the user whose access changed).',
  'Each event is `id: <n>`, `event: <type>`, `data: <JSON envelope {id, type, at, data}>` (the schema below describes one data line).',
  'Authentication: the Authorization header, or `?ticket=` from POST /api/v1/events/ticket (browsers\' EventSource cannot send headers).',
  'Reconnect with `Last-Event-ID: <n>` (or `?lastEventId=`): the missed events are replayed, then `ready`; when they are older than',
  'LIVE_EVENTS_RETENTION_HOURS or more than LIVE_EVENTS_REPLAY_MAX, `reset` instead (refetch what you show). A comment line with the',
  'current position as `id:` comes every LIVE_EVENTS_HEARTBEAT_SECONDS. Payloads carry ids and what changed; fetch the details.',
  'Every API replica serves every event (PostgreSQL LISTEN/NOTIFY over the live_events table).',
].join(' ');

@ApiTags('live events')
@ApiExtraModels(...LIVE_EVENT_TYPES.map((t) => t.envelope))
@Controller('api/v1/events')
export class LiveEventsController {
  constructor(
    private readonly openStream: OpenEventStreamUseCase,
    private readonly createTicket: CreateStreamTicketUseCase,
  ) {}

  @Get()
  @AcceptsStreamTicket()
  @ApiOperation({ summary: 'The live event stream (server-sent events) of the inboxes the caller may see', description: STREAM_DESCRIPTION })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Replay the events after this id (EventSource sends it when it reconnects)', schema: { type: 'string', pattern: '^\\d{1,15}$' } })
  @ApiOkResponse({ description: 'The stream; it stays open', content: { 'text/event-stream': { schema: LIVE_EVENT_SCHEMA } } })
  @ApiErrors({
    UNAUTHENTICATED: 'No token or ticket, or the ticket is unknown, used or expired',
    RATE_LIMITED: 'Too many streams open on this server (LIVE_EVENTS_MAX_STREAMS, _PER_ACCOUNT, _PER_USER)',
    DEPENDENCY_UNAVAILABLE: 'This server cannot reach the database',
  })
  async stream(
    @CurrentActor() actor: Actor,
    @Query() query: LiveEventsQuery,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    let lastEventId: number | undefined;
    if (lastEventIdHeader !== undefined && lastEventIdHeader.trim() !== '') {
      if (!/^\d{1,15}$/.test(lastEventIdHeader.trim())) throw DomainError.invalid('Last-Event-ID', 'must be the decimal id of an event');
      lastEventId = Number(lastEventIdHeader.trim());
    } else if (query.lastEventId !== undefined) {
      lastEventId = Number(query.lastEventId);
    }
    await this.openStream.execute({ actor, lastEventId, res });
  }

  @Post('ticket')
  @ApiOperation({
    summary: 'A single-use ticket to open the event stream without an Authorization header (EventSource)',
    description:
      'Valid LIVE_EVENTS_TICKET_TTL_SECONDS, once, on any API replica; the stream then acts for the token that asked for it and ends when that token ends. ' +
      'After an error, ask for a new ticket and open GET /api/v1/events?ticket=…&lastEventId=<last id seen>.',
  })
  @ApiCreatedResponse({ type: StreamTicketView })
  ticket(@CurrentActor() actor: Actor): Promise<StreamTicketView> {
    return this.createTicket.execute({ actor });
  }
}
