import type { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { OutboundAddressRefused, OutboundLookupFailed } from '../../common/outbound-address';
import { requestOutbound } from '../../common/outbound-http';
import { SecretBox } from '../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { Contact, ContactAttributeDefinition } from '../contacts/contact.entity';
import { TEXT_ATTRIBUTE_MAX_LENGTH } from '../contacts/attribute-values';
import { CrmCall, type CrmCallOutcome, type CrmCallReason, CrmConnector, CrmContactLink } from './crm.entity';
import { attributeValueOf, resolveJsonPointer } from './json-pointer';

/** The most of a CRM's answer that is read (a larger one is refused as too large). */
export const CRM_MAX_ANSWER_BYTES = 256 * 1024;
/** The start of an answer kept in the call log. */
export const CRM_LOG_EXCERPT_CHARS = 2000;
/** Shown in place of a header's value. */
export const MASKED = '••••••';

export interface CrmRequest {
  method: 'GET';
  url: string;
  /** Header values masked (the sealed ones never leave). */
  headers: Record<string, string>;
}

export interface CrmLookupOutcome {
  outcome: CrmCallOutcome;
  /** Why nothing was asked, or what went wrong, in our words. */
  error: string | null;
  request: CrmRequest | null;
  response: { status: number; durationMs: number; contentType: string | null; body: string; truncated: boolean } | null;
  externalId: string | null;
  /** attribute key -> value from the mapping (null: the CRM has none). */
  values: Record<string, string | null>;
  /** Mapped values that could not be used (unknown attribute, not an option, too long). */
  problems: { attribute: string; problem: string }[];
}

/**
 * One CRM lookup: builds the request from the connector and the contact, sends it through the
 * outbound-address guard within the connector's timeout, interprets the answer (404: not in the CRM;
 * 2xx: a JSON object whose mapped fields are read by JSON Pointer; anything else a failure named in
 * our words) and, unless it is a test, applies it and records it in the contact's call log.
 */
@Injectable()
export class CrmLookup {
  constructor(
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /**
   * Runs the connector's lookup for the contact and applies it. `reason` refresh and test ignore the
   * cache TTL; test applies nothing.
   */
  async run(em: EntityManager, input: { connector: CrmConnector; contactId: string; reason: CrmCallReason }): Promise<CrmLookupOutcome> {
    const { connector, contactId, reason } = input;
    const contact = await em.findOneOrFail(Contact, { id: contactId });
    const link = await em.findOne(CrmContactLink, { connector: connector.id, contact: contactId });
    if (reason !== 'refresh' && reason !== 'test' && link?.fetchedAt && Date.now() - link.fetchedAt.getTime() < connector.cacheTtlSeconds * 1000) {
      const outcome = this.empty('cached', `looked up at ${link.fetchedAt.toISOString()}, within the cache TTL of ${connector.cacheTtlSeconds} s`);
      await this.log(em, connector, contactId, reason, outcome);
      return outcome;
    }
    const result = await this.lookup(em, connector, contact, link);
    if (reason === 'test') {
      await this.log(em, connector, contactId, reason, result);
      return result;
    }
    if (result.outcome === 'ok') await this.apply(em, connector, contactId, result);
    await this.log(em, connector, contactId, reason, result);
    return result;
  }

  private empty(outcome: CrmCallOutcome, error: string | null): CrmLookupOutcome {
    return { outcome, error, request: null, response: null, externalId: null, values: {}, problems: [] };
  }

  private async lookup(em: EntityManager, connector: CrmConnector, contact: Contact, link: CrmContactLink | null): Promise<CrmLookupOutcome> {
    const value = connector.lookupAttribute === 'email' ? contact.email : connector.lookupAttribute === 'phone' ? contact.phone : link?.externalId;
    if (!value) {
      const what = connector.lookupAttribute === 'external_id' ? 'no external id of this CRM yet' : `no ${connector.lookupAttribute}`;
      return this.empty('skipped', `the contact has ${what}: nothing to look up by`);
    }
    const url = connector.lookupUrl.replace(/\{\{value\}\}/g, encodeURIComponent(value));
    const headers = connector.headersSealed ? (JSON.parse(this.secrets.decrypt(connector.headersSealed, 'CRM connector headers')) as Record<string, string>) : {};
    const request: CrmRequest = { method: 'GET', url, headers: Object.fromEntries(Object.keys(headers).map((k) => [k, MASKED])) };
    const failed = (error: string, response: CrmLookupOutcome['response'] = null): CrmLookupOutcome => ({ ...this.empty('failed', error), request, response });
    let answer;
    try {
      answer = await requestOutbound(new URL(url), this.config.outbound, { timeoutMs: connector.timeoutMs, maxBytes: CRM_MAX_ANSWER_BYTES, headers, field: 'lookupUrl' });
    } catch (err) {
      if (err instanceof OutboundAddressRefused || err instanceof OutboundLookupFailed) return failed(err.message);
      return failed((err as Error).message);
    }
    const contentType = typeof answer.headers['content-type'] === 'string' ? answer.headers['content-type'] : null;
    const response = { status: answer.status, durationMs: answer.durationMs, contentType, body: answer.body, truncated: answer.truncated };
    if (answer.status === 404) return { ...this.empty('not_found', null), request, response };
    if (answer.status < 200 || answer.status >= 300) return failed(`the CRM answered HTTP ${answer.status}`, response);
    if (answer.truncated) return failed(`the answer is larger than ${CRM_MAX_ANSWER_BYTES} bytes`, response);
    let doc: unknown;
    try {
      doc = JSON.parse(answer.body);
    } catch {
      return failed('the answer is not valid JSON', response);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return failed('the answer is not a JSON object', response);

    const definitions = new Map((await em.find(ContactAttributeDefinition, { account: connector.account.id })).map((d) => [d.key, d]));
    const values: Record<string, string | null> = {};
    const problems: CrmLookupOutcome['problems'] = [];
    for (const m of connector.mapping) {
      const raw = resolveJsonPointer(doc, m.pointer);
      if (raw === undefined) continue;
      const def = definitions.get(m.attribute);
      if (!def) {
        problems.push({ attribute: m.attribute, problem: 'is no longer a custom attribute of this account' });
        continue;
      }
      if (raw === null) {
        values[m.attribute] = null;
        continue;
      }
      const v = attributeValueOf(raw);
      if (v === undefined) problems.push({ attribute: m.attribute, problem: `${m.pointer} is an object or array, not a value` });
      else if (def.type === 'dropdown' && !def.options.includes(v)) problems.push({ attribute: m.attribute, problem: `"${v}" is not one of its options (${def.options.join(', ')})` });
      else if (v.length > TEXT_ATTRIBUTE_MAX_LENGTH) problems.push({ attribute: m.attribute, problem: `is longer than ${TEXT_ATTRIBUTE_MAX_LENGTH} characters` });
      else values[m.attribute] = v;
    }
    const ext = attributeValueOf(resolveJsonPointer(doc, connector.externalIdPointer));
    return { outcome: 'ok', error: null, request, response, externalId: ext ?? null, values, problems };
  }

  /**
   * Writes the mapped values onto the contact and remembers them as in sync. With write-back on, a
   * value an agent changed since the last sync is kept (it is written back on the next status change).
   */
  private async apply(em: EntityManager, connector: CrmConnector, contactId: string, result: CrmLookupOutcome): Promise<void> {
    await em.transactional(async (tx) => {
      // Not `for update`: foreign-key checks of other transactions on this contact go on (see update-contact).
      await tx.execute('select id from contacts where id = ? for no key update', [contactId]);
      const contact = await tx.findOneOrFail(Contact, { id: contactId }, { refresh: true });
      let link = await tx.findOne(CrmContactLink, { connector: connector.id, contact: contactId }, { refresh: true });
      if (!link) link = tx.create(CrmContactLink, { connector: connector.id, contact: contactId });
      const attributes = { ...(contact.attributes ?? {}) };
      const synced = { ...(link.synced ?? {}) };
      for (const [key, value] of Object.entries(result.values)) {
        const pendingLocal = connector.writeBackEnabled && (attributes[key] ?? null) !== (synced[key] ?? null);
        if (!pendingLocal) {
          if (value === null) delete attributes[key];
          else attributes[key] = value;
        }
        if (value === null) delete synced[key];
        else synced[key] = value;
      }
      contact.attributes = attributes;
      link.synced = synced;
      if (result.externalId !== null) link.externalId = result.externalId;
      link.fetchedAt = new Date();
      await tx.flush();
    });
  }

  private async log(em: EntityManager, connector: CrmConnector, contactId: string, reason: CrmCallReason, r: CrmLookupOutcome): Promise<void> {
    const problems = r.problems.length ? `not applied: ${r.problems.map((p) => `${p.attribute} ${p.problem}`).join('; ')}` : null;
    em.create(CrmCall, {
      connector: connector.id,
      contact: contactId,
      kind: 'lookup',
      reason,
      requestUrl: r.request?.url ?? null,
      statusCode: r.response?.status ?? null,
      durationMs: r.response?.durationMs ?? null,
      outcome: r.outcome,
      error: r.error ?? problems,
      responseExcerpt: r.response ? r.response.body.slice(0, CRM_LOG_EXCERPT_CHARS) : null,
    });
    await em.flush();
  }
}
