import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { checkAttributeOptions } from '../attribute-definitions';
import { type AttributeType, ContactAttributeDefinition } from '../contact.entity';

export interface CreateContactAttributeInput {
  actor: Actor;
  /** snake_case, unique in the account. */
  key: string;
  label: string;
  type: AttributeType;
  /** The choices of a dropdown (at least one); text attributes have none. */
  options?: string[];
  /** Shown to agents; default true. */
  visible?: boolean;
  /** Default: after the last one. */
  position?: number;
}

/** Administrators define a custom contact attribute; a key the account already has is a 409 naming `key`. */
@Injectable()
export class CreateContactAttributeUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: CreateContactAttributeInput): Promise<ContactAttributeDefinition> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'creating contact attributes');
    const options = input.options ?? [];
    checkAttributeOptions(input.type, options);
    const em = this.em.fork();
    const duplicate = () => new DomainError('CONFLICT', `key: a contact attribute "${input.key}" already exists`, [{ field: 'key', problem: 'already exists' }]);
    if (await em.count(ContactAttributeDefinition, { account: actor.accountId, key: input.key })) throw duplicate();
    let position = input.position;
    if (position === undefined) {
      const [row] = await em.execute<{ next: number }[]>(
        'select coalesce(max(position) + 1, 0)::int as next from contact_attribute_definitions where account_id = ?',
        [actor.accountId],
      );
      position = Number(row.next);
    }
    const def = em.create(ContactAttributeDefinition, {
      account: actor.accountId,
      key: input.key,
      label: input.label,
      type: input.type,
      options,
      visible: input.visible ?? true,
      position,
    });
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw duplicate();
      throw err;
    }
    return def;
  }
}
