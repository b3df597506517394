import { Module } from '@nestjs/common';
import { CampaignProgressPublisher } from './campaign-progress-publisher';
import { LiveEventHub } from './live-event-hub';
import { LiveEventPruner } from './live-event-pruner';
import { LiveEventsController } from './live-events.controller';
import { StreamAccessReader } from './stream-access-reader';
import { CreateStreamTicketUseCase } from './use-cases/create-stream-ticket.use-case';
import { OpenEventStreamUseCase } from './use-cases/open-event-stream.use-case';

/**
 * The live event stream (GET /api/v1/events): the API process's hub (one LISTEN connection), the
 * campaign progress publisher and the pruner. The events themselves are written by database triggers
 * (migration live_events), so no other module calls into this one.
 */
@Module({
  controllers: [LiveEventsController],
  providers: [LiveEventHub, StreamAccessReader, OpenEventStreamUseCase, CreateStreamTicketUseCase, CampaignProgressPublisher, LiveEventPruner],
  exports: [LiveEventHub],
})
export class LiveEventsModule {}
