import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import type { Actor } from '../../auth/actor';
import { AccessPolicy, type EffectiveRole } from '../../auth/access-policy';
import { mergeSettings } from '../inbox-settings';
import { Inbox } from '../inbox.entity';
import { validateInboxSettings, validateRoutingConditions, validateRoutingTargets } from '../validate-inbox-settings';
import { normaliseText } from './create-inbox.use-case';
import { VariablesService } from '../../variables/variables.service';

export interface UpdateInboxInput {
  actor: Actor;
  inboxId: string;
  name?: string;
  /** Empty or null turns the welcome message off. */
  welcomeMessage?: string | null;
  /** Merged into the current settings. */
  settings?: object;
}

/** Managers of the inbox (and administrators) change its name, welcome message and settings. */
@Injectable()
export class UpdateInboxUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly variables: VariablesService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Answers the inbox as changed, with the caller's role in it. */
  async execute(input: UpdateInboxInput): Promise<{ inbox: Inbox; role: EffectiveRole }> {
    const { actor } = input;
    const em = this.em.fork();
    const { inbox, role } = await this.access.requireManager(actor, input.inboxId, 'changing inbox settings', em);
    await this.variables.assertInboxTemplates(em, actor, input);
    if (input.name !== undefined) inbox.name = input.name;
    if (input.welcomeMessage !== undefined) inbox.welcomeMessage = normaliseText(input.welcomeMessage);
    if (input.settings !== undefined) {
      const settings = mergeSettings(inbox.settings, input.settings);
      validateInboxSettings(settings, { minGraceSeconds: this.config.lifecycle.minGraceSeconds });
      await validateRoutingConditions(em, { accountId: actor.accountId, settingsPatch: input.settings });
      await validateRoutingTargets(em, { accountId: actor.accountId, inboxId: inbox.id, settingsPatch: input.settings });
      inbox.settings = settings;
    }
    await em.flush();
    return { inbox, role };
  }
}
