import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { refuseCrmManagedEdits } from '../../crm/crm-managed';
import { applyAttributeValues } from '../attribute-values';
import { ContactAccess } from '../contact-access';
import { normaliseContactTags } from '../contact-tags';
import { recordConversationEvents } from '../../conversations/conversation-events';
import { ContactAttributeDefinition } from '../contact.entity';
import { contactView } from '../contact-view';
import type { ContactView } from '../dto/contact.dto';

/** The fields to change; absent ones stay. name, email and phone: "" or null clears. */
export interface UpdateContactInput {
  actor: Actor;
  contactId: string;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  vip?: boolean;
  /** Custom attribute values by key; null removes a value, keys not listed keep theirs. */
  attributes?: Record<string, unknown>;
  /** Replaces the tag set ([] clears it); normalised here. */
  tags?: string[];
}

/** Users who see the contact change its name, email, phone, VIP flag, tags and custom attribute values. */
@Injectable()
export class UpdateContactUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly contacts: ContactAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: UpdateContactInput): Promise<ContactView> {
    const { actor, contactId: id } = input;
    // Checked before anything is locked or read: bad tags are a 400 naming tags (or tags[i]).
    const tags = input.tags === undefined ? undefined : normaliseContactTags(input.tags).sort();
    const em = this.em.fork();
    let changedFields: string[] = [];
    let active: string[] = [];
    const view = await em.transactional(async (tx) => {
      // Concurrent attribute edits must not overwrite each other's keys. "No key update": the id does
      // not change, so another transaction's foreign-key check on this contact (a conversation being
      // routed, an event recorded) is not blocked by it; `for update` made such pairs deadlock.
      await tx.execute('select id from contacts where id = ? and account_id = ? for no key update', [id, actor.accountId]);
      const contact = await this.contacts.requireVisible(actor, id, tx);
      const snapshot = () => ({ name: contact.name, email: contact.email, phone: contact.phone, vip: contact.vip, tags: JSON.stringify(contact.tags), attributes: JSON.stringify(contact.attributes ?? {}) });
      const was = snapshot();
      if (input.name !== undefined) contact.name = input.name === '' ? null : input.name;
      if (input.email !== undefined) contact.email = input.email === '' ? null : input.email;
      if (input.phone !== undefined) contact.phone = input.phone === '' ? null : input.phone;
      if (input.vip !== undefined) contact.vip = input.vip;
      if (tags !== undefined) contact.tags = tags;
      if (input.attributes !== undefined) {
        // Only keys whose value would change: a client that sends the whole attribute set back is not refused.
        const changing = Object.entries(input.attributes).filter(([k, v]) => (contact.attributes?.[k] ?? null) !== v).map(([k]) => k);
        await refuseCrmManagedEdits(tx, actor.accountId, changing, actor.isAdmin);
        const definitions = await tx.find(ContactAttributeDefinition, { account: actor.accountId });
        contact.attributes = applyAttributeValues(contact.attributes ?? {}, input.attributes, definitions, actor.isAdmin);
      }
      await tx.flush();
      const now = snapshot();
      changedFields = (Object.keys(was) as (keyof typeof was)[]).filter((k) => was[k] !== now[k]);
      if (changedFields.length) {
        // Every conversation of the contact still being worked on sees the change (contact_updated; the VIP flag is also a search attribute).
        active = (await tx.execute<{ id: string }[]>(`select id from conversations where contact_id = ? and status in ('new', 'open', 'pending')`, [id])).map((r) => r.id);
        await recordConversationEvents(tx, active.map((conversationId) => ({ conversationId, type: 'contact_updated' as const, data: { contactId: id, changed: changedFields }, actorUserId: actor.userId })));
      }
      return contactView(actor, contact, tx);
    });
    if (active.length) await this.workflows.notifyChanged(active, `contact updated (${changedFields.join(', ')})`);
    return view;
  }
}
