import { Module, OnModuleInit } from '@nestjs/common';
import { PresenceEvents } from '../auth/presence-events';
import { RoutingModule } from '../routing/routing.module';
import { PresenceController } from './presence.controller';
import { AutoUnassignUseCase } from './use-cases/auto-unassign.use-case';
import { CheckHeartbeatUseCase } from './use-cases/check-heartbeat.use-case';
import { DrainForAgentUseCase } from './use-cases/drain-for-agent.use-case';
import { GetGraceDeadlinesUseCase } from './use-cases/get-grace-deadlines.use-case';
import { HeartbeatUseCase } from './use-cases/heartbeat.use-case';
import { ListInboxAgentsUseCase } from './use-cases/list-inbox-agents.use-case';
import { RecordPresenceChangeUseCase } from './use-cases/record-presence-change.use-case';
import { SetPresenceUseCase } from './use-cases/set-presence.use-case';

/** Use cases the agent-presence workflow's activities call. */
const SHARED = [CheckHeartbeatUseCase, GetGraceDeadlinesUseCase, AutoUnassignUseCase, DrainForAgentUseCase, RecordPresenceChangeUseCase];

/** Agent presence: login/logout/heartbeat as the router sees them, and what the presence workflow does. */
@Module({
  imports: [RoutingModule],
  controllers: [PresenceController],
  providers: [...SHARED, HeartbeatUseCase, ListInboxAgentsUseCase, SetPresenceUseCase],
  exports: SHARED,
})
export class PresenceModule implements OnModuleInit {
  constructor(
    private readonly events: PresenceEvents,
    private readonly record: RecordPresenceChangeUseCase,
  ) {}

  /** Login, logout and session loss published by the auth module reach the router and the presence workflow. */
  onModuleInit(): void {
    this.events.subscribe((event) => this.record.execute(event));
  }
}
