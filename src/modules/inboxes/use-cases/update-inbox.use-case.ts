import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { Inbox } from '../inbox.entity';
import { normaliseText } from './create-inbox.use-case';

@Injectable()
export class UpdateInboxUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(id: string, input: { name?: string; welcomeMessage?: string | null }): Promise<Inbox> {
    const em = this.em.fork();
    const inbox = await em.findOne(Inbox, { id });
    if (!inbox) throw DomainError.notFound('inbox', id);
    if (input.name !== undefined) inbox.name = input.name;
    if (input.welcomeMessage !== undefined) inbox.welcomeMessage = normaliseText(input.welcomeMessage);
    await em.flush();
    return inbox;
  }
}
