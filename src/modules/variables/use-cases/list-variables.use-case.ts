import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Account } from '../../accounts/account.entity';
import type { Actor } from '../../auth/actor';
import { BUILTIN_VARIABLES, contactAttributeVariable, type VariableSource } from '../template';
import { VariablesService } from '../variables.service';

export interface ListVariablesInput {
  actor: Actor;
}

export interface VariableInfo {
  name: string;
  source: VariableSource;
  label: string;
  /** the account's default for it (settings.variableDefaults), or null */
  default: string | null;
}

/**
 * The variables usable in the caller's account's texts ({{name}}): the built-ins, then `contact.<key>`
 * of every custom contact attribute the caller may see (administrators: all; everyone else: the visible
 * ones, as in the contact view), each with its label and the account's default (GET /api/v1/variables).
 */
@Injectable()
export class ListVariablesUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly variables: VariablesService,
  ) {}

  async execute({ actor }: ListVariablesInput): Promise<VariableInfo[]> {
    const em = this.em.fork();
    const account = await em.findOneOrFail(Account, { id: actor.accountId });
    const defaults = account.settings.variableDefaults ?? {};
    const out: VariableInfo[] = BUILTIN_VARIABLES.map((v) => ({ ...v, default: defaults[v.name] ?? null }));
    const builtin = new Set(out.map((v) => v.name));
    for (const d of await this.variables.definitionsFor(em, actor)) {
      const name = contactAttributeVariable(d.key);
      if (!builtin.has(name)) out.push({ name, source: 'contact', label: d.label, default: defaults[name] ?? null });
    }
    return out;
  }
}
