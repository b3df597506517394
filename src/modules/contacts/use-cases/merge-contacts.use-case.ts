import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ContactAccess } from '../contact-access';
import { Contact } from '../contact.entity';
import { contactView } from '../contact-view';
import type { ContactView } from '../dto/contact.dto';

export const MERGE_RULE =
  'The contact in the path survives; the other contact is merged into it and deleted, in one transaction. ' +
  "Its identities, conversations (with their messages), favourites and opt-outs move to the survivor. Conflicts: the survivor's " +
  'non-empty name, email and phone win, empty ones are filled from the merged contact; custom and platform attributes: the ' +
  "survivor's values win, keys it lacks are taken over; vip and spam: true when either is; tags: the union; opt-outs: the union (opting out wins). " +
  'Administrators may merge any two contacts of the account, other users two contacts they both see.';

export interface MergeContactsInput {
  actor: Actor;
  /** The survivor (the contact in the path). */
  contactId: string;
  /** Merged into the survivor, then deleted. */
  otherContactId: string;
}

const isEmpty = (v: string | null | undefined): boolean => v === null || v === undefined || v.trim() === '';

/** Attribute maps: the survivor's non-empty values win, missing or empty keys are taken from the other. */
function mergeAttributes(survivor: Record<string, string>, other: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = { ...(other ?? {}) };
  for (const [key, value] of Object.entries(survivor ?? {})) {
    if (!isEmpty(value) || merged[key] === undefined) merged[key] = value;
  }
  return merged;
}

/**
 * Merges another contact into the contact in the path. Conflict rule (also in the OpenAPI description,
 * MERGE_RULE):
 *  - name, email, phone: the survivor's non-empty value wins; an empty one is filled from the other;
 *  - custom attributes and platform attributes: the survivor's values win, keys it lacks are taken over;
 *  - vip and spam: true when either contact is;
 *  - tags: the union (it may exceed the per-contact maximum, which only limits what a PATCH sets);
 *  - identities, conversations (messages follow them), favourites: moved to the survivor (a user who
 *    favoured both keeps one favourite);
 *  - opt-outs: the union per channel (opting out wins); where both opted out, the survivor's row stays.
 * Everything happens in one transaction; then the other contact is deleted.
 */
@Injectable()
export class MergeContactsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
  ) {}

  async execute({ actor, contactId: id, otherContactId: otherId }: MergeContactsInput): Promise<ContactView> {
    if (otherId === id) throw DomainError.invalid('otherContactId', 'must be another contact than the one in the path');
    return this.em.fork().transactional(async (tx) => {
      // Lock both rows in a fixed order, so two merges of the same pair cannot deadlock or interleave.
      await tx.execute('select id from contacts where id in (?) and account_id = ? order by id for update', [[id, otherId], actor.accountId]);
      const survivor = await this.contacts.find(actor, id, tx);
      const other = await tx.findOne(Contact, { id: otherId, account: actor.accountId });
      if (!other) throw DomainError.notFound('contact', otherId);
      if (!actor.isAdmin) {
        for (const c of [survivor, other]) {
          if (!(await this.contacts.canSee(actor, c.id, tx))) {
            throw new DomainError('FORBIDDEN', `merging needs both contacts visible: you are not a member of any inbox with a conversation of contact ${c.id}`);
          }
        }
      }

      if (isEmpty(survivor.name) && !isEmpty(other.name)) survivor.name = other.name;
      if (isEmpty(survivor.email) && !isEmpty(other.email)) survivor.email = other.email;
      if (isEmpty(survivor.phone) && !isEmpty(other.phone)) survivor.phone = other.phone;
      survivor.attributes = mergeAttributes(survivor.attributes, other.attributes);
      survivor.platformAttributes = mergeAttributes(survivor.platformAttributes, other.platformAttributes);
      survivor.vip = survivor.vip || other.vip;
      survivor.spam = survivor.spam || other.spam;
      survivor.tags = [...new Set([...(survivor.tags ?? []), ...(other.tags ?? [])])].sort();
      await tx.flush();

      await tx.execute('update contact_identities set contact_id = ? where contact_id = ?', [id, otherId]);
      await tx.execute('update conversations set contact_id = ? where contact_id = ?', [id, otherId]);
      await tx.execute(
        `update contact_favourites f set contact_id = ? where f.contact_id = ?
           and not exists (select 1 from contact_favourites s where s.contact_id = ? and s.user_id = f.user_id)`,
        [id, otherId, id],
      );
      await tx.execute(
        `update contact_opt_outs o set contact_id = ? where o.contact_id = ?
           and not exists (select 1 from contact_opt_outs s where s.contact_id = ? and s.channel_type = o.channel_type)`,
        [id, otherId, id],
      );
      // What did not move (duplicates) goes with the contact, by cascade.
      await tx.execute('delete from contacts where id = ?', [otherId]);
      return contactView(actor, survivor, tx);
    });
  }
}
