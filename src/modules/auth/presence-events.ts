import { Injectable, Logger } from '@nestjs/common';

export type PresenceEventType = 'login' | 'logout' | 'session_lost';

export interface PresenceEvent {
  type: PresenceEventType;
  userId: string;
  accountId: string;
  tokenId: string;
  at: Date;
}

export type PresenceListener = (event: PresenceEvent) => Promise<void> | void;

/**
 * The one place where login, logout and session loss are published. The agent-presence workflow
 * subscribes here; a listener's failure is logged and never fails the login or logout itself.
 */
@Injectable()
export class PresenceEvents {
  private readonly logger = new Logger(PresenceEvents.name);
  private readonly listeners: PresenceListener[] = [];

  subscribe(listener: PresenceListener): void {
    this.listeners.push(listener);
  }

  async publish(event: PresenceEvent): Promise<void> {
    this.logger.log(`${event.type}: user ${event.userId}`);
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (err) {
        this.logger.error(`presence listener failed on ${event.type} of ${event.userId}: ${(err as Error).message}`);
      }
    }
  }
}
