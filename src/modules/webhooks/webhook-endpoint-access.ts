import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AccessPolicy } from '../auth/access-policy';
import type { Actor } from '../auth/actor';
import { WebhookEndpoint } from './webhook.entity';

/**
 * Webhooks are the administrators' (403 for everyone else); another account's endpoint does not exist (404),
 * nor does a CRM connector's write-back endpoint (the connector manages it).
 */
@Injectable()
export class WebhookEndpointAccess {
  constructor(private readonly access: AccessPolicy) {}

  requireAdmin(actor: Actor, action: string): void {
    this.access.requireAdmin(actor, action);
  }

  async find(em: EntityManager, actor: Actor, id: string, action: string, opts: { lock?: boolean } = {}): Promise<WebhookEndpoint> {
    this.access.requireAdmin(actor, action);
    const endpoint = await em.findOne(WebhookEndpoint, { id, account: actor.accountId, kind: 'webhook' }, opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!endpoint) throw DomainError.notFound('webhook endpoint', id);
    return endpoint;
  }
}
