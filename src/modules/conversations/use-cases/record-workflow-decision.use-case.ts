import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { DecisionKind } from '../conversation-decision.entity';
import { type DecisionRecord, recordDecision } from '../decision-log';

export interface RecordWorkflowDecisionInput {
  conversationId: string;
  kind: DecisionKind;
  summary: string;
  details?: Record<string, unknown>;
}

/**
 * A decision the conversation workflow took itself (CSAT scheduled or cancelled), written to the
 * decision log for the timeline. A conversation deleted meanwhile records nothing (null).
 */
@Injectable()
export class RecordWorkflowDecisionUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: RecordWorkflowDecisionInput): Promise<DecisionRecord | null> {
    const em = this.em.fork();
    const exists = await em.execute<{ n: number }[]>(`select 1 as n from conversations where id = ?`, [input.conversationId]);
    return exists.length ? recordDecision(em, input) : null;
  }
}
