import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { checkAttributeOptions, findAttributeDefinition } from '../attribute-definitions';
import type { ContactAttributeDefinition } from '../contact.entity';

export interface UpdateContactAttributeInput {
  actor: Actor;
  attributeId: string;
  label?: string;
  /** Replaces the choices of a dropdown. */
  options?: string[];
  visible?: boolean;
  position?: number;
}

/** Administrators change a custom attribute's label, options, visibility or position (its key and type stay). */
@Injectable()
export class UpdateContactAttributeUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: UpdateContactAttributeInput): Promise<ContactAttributeDefinition> {
    const { actor } = input;
    const em = this.em.fork();
    const def = await findAttributeDefinition(actor, input.attributeId, em);
    this.access.requireAdmin(actor, 'changing contact attributes');
    if (input.options !== undefined) {
      checkAttributeOptions(def.type, input.options);
      def.options = input.options;
    }
    if (input.label !== undefined) def.label = input.label;
    if (input.visible !== undefined) def.visible = input.visible;
    if (input.position !== undefined) def.position = input.position;
    await em.flush();
    return def;
  }
}
