import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { Account } from '../../accounts/account.entity';
import { Inbox, type ChannelType } from '../inbox.entity';

@Injectable()
export class CreateInboxUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: { accountId: string; name: string; channelType: ChannelType; welcomeMessage?: string | null }): Promise<Inbox> {
    const em = this.em.fork();
    const account = await em.findOne(Account, { id: input.accountId });
    if (!account) throw new DomainError('NOT_FOUND', `accountId: account ${input.accountId} was not found`, [
      { field: 'accountId', problem: 'no such account' },
    ]);
    const inbox = em.create(Inbox, {
      account,
      name: input.name,
      channelType: input.channelType,
      welcomeMessage: normaliseText(input.welcomeMessage),
    });
    await em.flush();
    return inbox;
  }
}

/** An empty or blank text means "off". */
export function normaliseText(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}
