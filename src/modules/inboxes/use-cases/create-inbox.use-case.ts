import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { DEFAULT_INBOX_SETTINGS, mergeSettings } from '../inbox-settings';
import { Inbox, type ChannelType } from '../inbox.entity';
import { validateInboxSettings, validateRoutingConditions, validateRoutingTargets } from '../validate-inbox-settings';
import { VariablesService } from '../../variables/variables.service';

export interface CreateInboxInput {
  actor: Actor;
  name: string;
  channelType: ChannelType;
  /** Sent once when a conversation starts; empty or null: off. */
  welcomeMessage?: string | null;
  /** Merged into the default settings. */
  settings?: object;
}

/** Administrators create inboxes. */
@Injectable()
export class CreateInboxUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly variables: VariablesService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: CreateInboxInput): Promise<Inbox> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'creating inboxes');
    const settings = mergeSettings(structuredClone(DEFAULT_INBOX_SETTINGS), input.settings);
    validateInboxSettings(settings, { minGraceSeconds: this.config.lifecycle.minGraceSeconds });
    const em = this.em.fork();
    await this.variables.assertInboxTemplates(em, actor, input);
    await validateRoutingConditions(em, { accountId: actor.accountId, settingsPatch: input.settings });
    await validateRoutingTargets(em, { accountId: actor.accountId, inboxId: null, settingsPatch: input.settings });
    const inbox = em.create(Inbox, {
      account: actor.accountId,
      name: input.name,
      channelType: input.channelType,
      welcomeMessage: normaliseText(input.welcomeMessage),
      settings,
    });
    await em.flush();
    return inbox;
  }
}

/** An empty or blank text means "off". */
export function normaliseText(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}
