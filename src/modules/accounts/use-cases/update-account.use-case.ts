import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { AccessPolicy } from '../../auth/access-policy';
import { mergeSettings } from '../../inboxes/inbox-settings';
import { isTimeZone } from '../../inboxes/validate-inbox-settings';
import { DomainError } from '../../../common/domain-error';
import { Account, type AccountSettings } from '../account.entity';
import { VariablesService } from '../../variables/variables.service';

export interface UpdateAccountInput {
  actor: Actor;
  /** Each field given is changed; settings are merged into the current ones. */
  name?: string;
  companyName?: string | null;
  address?: string | null;
  email?: string | null;
  phone?: string | null;
  settings?: Partial<Omit<AccountSettings, 'optOut'>> & { optOut?: Partial<AccountSettings['optOut']> };
}

/** Account variables and settings; administrators only. */
@Injectable()
export class UpdateAccountUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly variables: VariablesService,
  ) {}

  async execute(input: UpdateAccountInput): Promise<Account> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'changing account settings');
    if (input.settings?.timezone !== undefined && !isTimeZone(input.settings.timezone)) {
      throw DomainError.invalid('settings.timezone', `unknown time zone "${input.settings.timezone}"`);
    }
    const em = this.em.fork();
    await this.variables.assertVariableDefaults(em, actor.accountId, input.settings?.variableDefaults);
    const account = await em.findOneOrFail(Account, { id: actor.accountId });
    for (const key of ['name', 'companyName', 'address', 'email', 'phone'] as const) {
      if (input[key] !== undefined) (account as unknown as Record<string, unknown>)[key] = input[key];
    }
    if (input.settings) account.settings = mergeSettings(account.settings, input.settings);
    await em.flush();
    return account;
  }
}
