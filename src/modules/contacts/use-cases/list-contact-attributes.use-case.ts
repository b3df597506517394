import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { DEFINITION_ORDER } from '../attribute-definitions';
import { ContactAttributeDefinition } from '../contact.entity';

export interface ListContactAttributesInput {
  actor: Actor;
}

/**
 * The custom contact attributes by position: every user of the account reads them (agents fill them
 * in); administrators get all, other users the visible ones.
 */
@Injectable()
export class ListContactAttributesUseCase {
  constructor(private readonly em: EntityManager) {}

  execute({ actor }: ListContactAttributesInput): Promise<ContactAttributeDefinition[]> {
    return this.em
      .fork()
      .find(ContactAttributeDefinition, { account: actor.accountId, ...(actor.isAdmin ? {} : { visible: true }) }, { orderBy: DEFINITION_ORDER });
  }
}
