import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import type { PresenceState } from '../use-cases/set-presence.use-case';
import type { InboxAgent, InboxAgents } from '../use-cases/list-inbox-agents.use-case';

export class HeartbeatView {
  @ApiProperty() online!: boolean;
  @ApiProperty() lastHeartbeatAt!: string;
  @ApiProperty({ description: 'Send the next heartbeat well within this many seconds, or the session counts as lost' }) heartbeatTimeoutSeconds!: number;
  @ApiProperty({ description: 'True when this heartbeat brought back an agent whose session had been declared lost' }) resumed!: boolean;
}

export class InboxAgentView implements InboxAgent {
  @ApiProperty() userId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['member', 'manager'] }) role!: string;
  @ApiProperty() online!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) offlineSince!: string | null;
  @ApiPropertyOptional({ nullable: true, enum: ['logout', 'session_lost'] }) offlineReason!: string | null;
  @ApiProperty({ description: 'Conversations new, open or pending held in this inbox' }) load!: number;
  @ApiProperty() capacity!: number;
}

export class InboxAgentsView implements InboxAgents {
  @ApiProperty() inboxId!: string;
  @ApiProperty({ enum: ['least_load', 'round_robin'] }) distribution!: string;
  @ApiProperty({ description: 'Conversations waiting in the queue for an agent' }) waiting!: number;
  @ApiProperty({ type: [InboxAgentView] }) agents!: InboxAgentView[];
}

export class PresenceView implements PresenceState {
  @ApiProperty({ description: 'Online: routing may give the caller conversations' }) online!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) offlineSince!: string | null;
  @ApiPropertyOptional({ nullable: true, enum: ['logout', 'session_lost'] }) offlineReason!: string | null;
  @ApiProperty({ description: 'While online, send heartbeats well within this many seconds' }) heartbeatTimeoutSeconds!: number;
}

export class SetPresenceDto {
  @ApiProperty({ description: 'true: online (like a login); false: offline (like a logout, the session stays)' })
  @IsBoolean()
  online!: boolean;
}
