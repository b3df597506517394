import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ContactAttributeDefinition, type AttributeType } from '../contact.entity';
import type { CreateContactAttributeDto, UpdateContactAttributeDto } from '../dto/contact-attribute.dto';

const ORDER = { position: 'asc', createdAt: 'asc', id: 'asc' } as const;

function checkOptions(type: AttributeType, options: string[]): void {
  if (type === 'dropdown' && options.length === 0) throw DomainError.invalid('options', 'a dropdown needs at least one option');
  if (type === 'text' && options.length > 0) throw DomainError.invalid('options', 'only dropdown attributes have options');
  const seen = new Set<string>();
  for (const o of options) {
    if (seen.has(o)) throw DomainError.invalid('options', `"${o}" is listed twice`);
    seen.add(o);
  }
}

/**
 * Custom contact attributes: every user of the account reads the definitions (agents fill them in),
 * administrators create, change, reorder and delete them. Non-admins see only the visible ones.
 */
@Injectable()
export class ContactAttributesUseCases {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  list(actor: Actor): Promise<ContactAttributeDefinition[]> {
    return this.em.fork().find(ContactAttributeDefinition, { account: actor.accountId, ...(actor.isAdmin ? {} : { visible: true }) }, { orderBy: ORDER });
  }

  async create(actor: Actor, input: CreateContactAttributeDto): Promise<ContactAttributeDefinition> {
    this.access.requireAdmin(actor, 'creating contact attributes');
    const options = input.options ?? [];
    checkOptions(input.type, options);
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

  async update(actor: Actor, id: string, input: UpdateContactAttributeDto): Promise<ContactAttributeDefinition> {
    const em = this.em.fork();
    const def = await this.find(actor, id, em);
    this.access.requireAdmin(actor, 'changing contact attributes');
    if (input.options !== undefined) {
      checkOptions(def.type, input.options);
      def.options = input.options;
    }
    if (input.label !== undefined) def.label = input.label;
    if (input.visible !== undefined) def.visible = input.visible;
    if (input.position !== undefined) def.position = input.position;
    await em.flush();
    return def;
  }

  /** Deletes the definition and its values on every contact of the account, in one transaction. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      const def = await this.find(actor, id, tx);
      this.access.requireAdmin(actor, 'deleting contact attributes');
      await tx.execute(`update contacts set attributes = attributes - ? where account_id = ? and attributes -> ? is not null`, [def.key, actor.accountId, def.key]);
      await tx.execute('delete from contact_attribute_definitions where id = ?', [def.id]);
    });
  }

  /** The listed definitions take positions 0..n-1; the others follow in their current order. */
  async reorder(actor: Actor, ids: string[]): Promise<ContactAttributeDefinition[]> {
    this.access.requireAdmin(actor, 'reordering contact attributes');
    return this.em.fork().transactional(async (tx) => {
      const all = await tx.find(ContactAttributeDefinition, { account: actor.accountId }, { orderBy: ORDER });
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

  private async find(actor: Actor, id: string, em: EntityManager): Promise<ContactAttributeDefinition> {
    const def = await em.findOne(ContactAttributeDefinition, { id, account: actor.accountId });
    if (!def) throw DomainError.notFound('contact attribute', id);
    return def;
  }
}
