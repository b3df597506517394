import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { Inbox } from '../inbox.entity';

@Injectable()
export class GetInboxUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(id: string): Promise<Inbox> {
    const inbox = await this.em.fork().findOne(Inbox, { id });
    if (!inbox) throw DomainError.notFound('inbox', id);
    return inbox;
  }
}
