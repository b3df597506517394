import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { findAttributeDefinition } from '../attribute-definitions';

export interface DeleteContactAttributeInput {
  actor: Actor;
  attributeId: string;
}

/** Administrators delete a custom attribute with its values on every contact of the account, in one transaction. */
@Injectable()
export class DeleteContactAttributeUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute({ actor, attributeId }: DeleteContactAttributeInput): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const def = await findAttributeDefinition(actor, attributeId, tx);
      this.access.requireAdmin(actor, 'deleting contact attributes');
      await tx.execute(`update contacts set attributes = attributes - ? where account_id = ? and attributes -> ? is not null`, [def.key, actor.accountId, def.key]);
      await tx.execute('delete from contact_attribute_definitions where id = ?', [def.id]);
    });
  }
}
