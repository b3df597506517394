import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../../contacts/contact-access';
import { CrmCall, CrmConnector, CrmContactLink } from '../crm.entity';
import { CrmCallView, type ContactCrmView } from '../dto/crm.dto';

/** What the account's connectors know of a contact (external ids, managed attributes) and its call log, newest first. */
@Injectable()
export class GetContactCrmUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
  ) {}

  async execute(input: { actor: Actor; contactId: string }): Promise<ContactCrmView> {
    const em = this.em.fork();
    await this.contacts.requireVisible(input.actor, input.contactId, em);
    const connectors = await em.find(CrmConnector, { account: input.actor.accountId, enabled: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const links = new Map((await em.find(CrmContactLink, { contact: input.contactId })).map((l) => [l.connector.id, l]));
    const calls = await em.find(CrmCall, { contact: input.contactId }, { orderBy: { id: 'desc' }, limit: 100 });
    const messageIds = calls.map((c) => c.messageId).filter((m): m is string => m !== null);
    const deliveries = new Map<string, { status: string; attempts: number }>();
    if (messageIds.length) {
      const rows = await em.execute<{ message_id: string; status: string; attempts: number }[]>(
        `select message_id, status, attempts from webhook_deliveries where message_id in (?)`,
        [messageIds],
      );
      for (const r of rows) deliveries.set(r.message_id, { status: r.status, attempts: r.attempts });
    }
    return {
      connectors: connectors.map((c) => {
        const link = links.get(c.id);
        return {
          connectorId: c.id,
          connectorName: c.name,
          externalId: link?.externalId ?? null,
          fetchedAt: link?.fetchedAt?.toISOString() ?? null,
          managedAttributes: c.mapping.map((m) => m.attribute),
          writeBackEnabled: c.writeBackEnabled,
        };
      }),
      calls: calls.map((c) => CrmCallView.of(c, c.messageId ? deliveries.get(c.messageId) : undefined)),
    };
  }
}
