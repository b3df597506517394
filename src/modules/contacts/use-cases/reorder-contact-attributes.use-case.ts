import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { DEFINITION_ORDER } from '../attribute-definitions';
import { ContactAttributeDefinition } from '../contact.entity';

export interface ReorderContactAttributesInput {
  actor: Actor;
  /** Definition ids in the new order. */
  ids: string[];
}

/** Administrators reorder the custom attributes: the listed ones take positions 0..n-1, the others follow in their current order. */
@Injectable()
export class ReorderContactAttributesUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute({ actor, ids }: ReorderContactAttributesInput): Promise<ContactAttributeDefinition[]> {
    this.access.requireAdmin(actor, 'reordering contact attributes');
    return this.em.fork().transactional(async (tx) => {
      const all = await tx.find(ContactAttributeDefinition, { account: actor.accountId }, { orderBy: DEFINITION_ORDER });
      const byId = new Map(all.map((d) => [d.id, d]));
      const seen = new Set<string>();
      ids.forEach((id, i) => {
        if (seen.has(id)) throw DomainError.invalid(`ids[${i}]`, `${id} is listed twice`);
        seen.add(id);
        if (!byId.has(id)) throw new DomainError('NOT_FOUND', `ids[${i}]: contact attribute ${id} was not found`, [{ field: `ids[${i}]`, problem: 'not found' }]);
      });
      const ordered = [...ids.map((id) => byId.get(id)!), ...all.filter((d) => !seen.has(d.id))];
      ordered.forEach((d, i) => (d.position = i));
      await tx.flush();
      return ordered;
    });
  }
}
