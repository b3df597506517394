import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { Account } from '../accounts/account.entity';
import type { Actor } from '../auth/actor';
import { Contact, ContactAttributeDefinition } from '../contacts/contact.entity';
import {
  accountValues,
  BUILTIN_VARIABLES,
  contactAttributeVariable,
  contactValues,
  findUnknownVariables,
  renderTemplate,
} from './template';

/** Fields of an inbox create/update input that take variables. */
interface InboxTemplatesInput {
  welcomeMessage?: string | null;
  settings?: object;
}

/**
 * Whose eyes a text is checked or rendered for. Custom attributes an administrator marked hidden
 * (`visible: false`) are the administrators' own: for anyone else they are not variables at all (not
 * listed, unknown when a text names them) and render as their account default (else empty).
 */
export type VariableViewer = Pick<Actor, 'accountId' | 'isAdmin'>;

/**
 * The one renderer, bound to the database: which variables an account knows, validation of texts
 * when they are saved, and rendering for a contact. Each method takes the caller's EntityManager
 * so it runs in the caller's fork or transaction.
 */
@Injectable()
export class VariablesService {
  /** The account's custom contact attributes, each a `contact.<key>` variable (hidden ones included). */
  async attributeDefinitions(em: EntityManager, accountId: string): Promise<ContactAttributeDefinition[]> {
    return em.find(ContactAttributeDefinition, { account: accountId }, { orderBy: { position: 'asc', key: 'asc' } });
  }

  /** The custom attributes the viewer may use: administrators all, everyone else the visible ones. */
  async definitionsFor(em: EntityManager, viewer: VariableViewer): Promise<ContactAttributeDefinition[]> {
    const defs = await this.attributeDefinitions(em, viewer.accountId);
    return viewer.isAdmin ? defs : defs.filter((d) => d.visible);
  }

  /** Built-in variables plus `contact.<key>` of every custom attribute the viewer may use. */
  async knownVariables(em: EntityManager, viewer: VariableViewer): Promise<Set<string>> {
    const defs = await this.definitionsFor(em, viewer);
    return new Set([...BUILTIN_VARIABLES.map((v) => v.name), ...defs.map((d) => contactAttributeVariable(d.key))]);
  }

  /** 400 naming the field and the first variable unknown to the viewer; null/undefined/empty texts pass. */
  async assertTemplate(em: EntityManager, viewer: VariableViewer, field: string, text: string | null | undefined): Promise<void> {
    await this.assertTemplates(em, viewer, { [field]: text });
  }

  /** Like assertTemplate for several fields at once (one lookup of the known variables). */
  async assertTemplates(em: EntityManager, viewer: VariableViewer, texts: Record<string, string | null | undefined>): Promise<void> {
    const given = Object.entries(texts).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].includes('{{'));
    if (given.length === 0) return;
    const known = await this.knownVariables(em, viewer);
    for (const [field, text] of given) {
      const [unknown] = findUnknownVariables(text, known);
      if (unknown !== undefined) throw unknownVariable(field, unknown);
    }
  }

  /** The texts of an inbox create/update input that take variables: welcome, out-of-office, CSAT question. */
  async assertInboxTemplates(em: EntityManager, viewer: VariableViewer, input: InboxTemplatesInput): Promise<void> {
    const settings = (input.settings ?? {}) as { businessHours?: { outOfOfficeMessage?: string | null }; csat?: { question?: string } };
    await this.assertTemplates(em, viewer, {
      welcomeMessage: input.welcomeMessage,
      'settings.businessHours.outOfOfficeMessage': settings.businessHours?.outOfOfficeMessage,
      'settings.csat.question': settings.csat?.question,
    });
  }

  /** Account settings.variableDefaults (administrators set them): every key a known variable, every value a string. */
  async assertVariableDefaults(em: EntityManager, accountId: string, defaults: Record<string, unknown> | undefined): Promise<void> {
    if (defaults === undefined) return;
    const known = await this.knownVariables(em, { accountId, isAdmin: true });
    for (const [key, value] of Object.entries(defaults)) {
      const field = `settings.variableDefaults.${key}`;
      if (!known.has(key)) throw unknownVariable(field, key);
      if (typeof value !== 'string') throw DomainError.invalid(field, 'must be a string');
      if (value.length > 1000) throw DomainError.invalid(field, 'must be at most 1000 characters');
    }
  }

  /**
   * renderFor for many contacts of one account at once (three queries whatever their number): contact id → text.
   * `withHidden` false: hidden attributes render as their default (the text's author may not see them).
   */
  async renderForContacts(
    em: EntityManager,
    accountId: string,
    contactIds: readonly string[],
    text: string,
    opts: { withHidden: boolean },
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!text.includes('{{')) {
      for (const id of contactIds) out.set(id, text);
      return out;
    }
    const account = await em.findOne(Account, { id: accountId });
    const contacts = contactIds.length ? await em.find(Contact, { id: { $in: [...contactIds] }, account: accountId }) : [];
    const byId = new Map(contacts.map((c) => [c.id, c]));
    const keys = (await this.definitionsFor(em, { accountId, isAdmin: opts.withHidden })).map((d) => d.key);
    const base = accountValues(account);
    const defaults = account?.settings.variableDefaults ?? {};
    for (const id of contactIds) out.set(id, renderTemplate(text, { ...base, ...contactValues(byId.get(id) ?? null, keys) }, defaults));
    return out;
  }

  /**
   * Renders the text with the account's variables, the contact's (if any) and the account's defaults.
   * With a `viewer` (a person who reads the result, e.g. an agent inserting a saved reply) hidden
   * attributes render as their default unless the viewer is an administrator. Without one (system
   * texts: welcome, out-of-office, CSAT) every attribute renders: those texts were checked against
   * what their author may see when they were saved.
   */
  async renderFor(em: EntityManager, target: { accountId: string; contactId?: string | null; viewer?: VariableViewer }, text: string): Promise<string> {
    if (!text.includes('{{')) return text;
    const account = await em.findOne(Account, { id: target.accountId });
    const contact = target.contactId ? await em.findOne(Contact, { id: target.contactId, account: target.accountId }) : null;
    const keys = (await this.definitionsFor(em, { accountId: target.accountId, isAdmin: target.viewer?.isAdmin ?? true })).map((d) => d.key);
    const values = { ...accountValues(account), ...contactValues(contact, keys) };
    return renderTemplate(text, values, account?.settings.variableDefaults ?? {});
  }
}

function unknownVariable(field: string, name: string): DomainError {
  return DomainError.invalid(field, `unknown variable {{${name}}} (GET /api/v1/variables lists the known ones)`);
}
