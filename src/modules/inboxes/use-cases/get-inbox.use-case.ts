import { Injectable } from '@nestjs/common';
import { AccessPolicy, type EffectiveRole } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import type { Inbox } from '../inbox.entity';

export interface GetInboxInput {
  actor: Actor;
  inboxId: string;
}

/** One inbox with the caller's role in it: members of the inbox and administrators (another account's: 404). */
@Injectable()
export class GetInboxUseCase {
  constructor(private readonly access: AccessPolicy) {}

  async execute(input: GetInboxInput): Promise<{ inbox: Inbox; role: EffectiveRole }> {
    return this.access.requireMember(input.actor, input.inboxId);
  }
}
