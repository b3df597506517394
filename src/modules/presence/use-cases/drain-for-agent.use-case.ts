import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DrainQueueUseCase } from '../../routing/use-cases/drain-queue.use-case';

/** An agent came online: every inbox they work in hands them waiting conversations up to their capacity. */
@Injectable()
export class DrainForAgentUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly drain: DrainQueueUseCase,
  ) {}

  async execute(input: { userId: string }): Promise<{ assigned: { conversationId: string; assigneeId: string }[] }> {
    const inboxes = await this.em.fork().execute<{ inbox_id: string; name: string }[]>(
      `select m.inbox_id, u.name from inbox_memberships m join users u on u.id = m.user_id where m.user_id = ? order by m.inbox_id`,
      [input.userId],
    );
    const assigned: { conversationId: string; assigneeId: string }[] = [];
    for (const inbox of inboxes) {
      // The pass tells the workflows of the conversations it assigns.
      const drained = await this.drain.execute({ inboxId: inbox.inbox_id, trigger: `${inbox.name} came online` });
      assigned.push(...drained.assigned.map((a) => ({ conversationId: a.conversationId, assigneeId: a.assigneeId })));
    }
    return { assigned };
  }
}
