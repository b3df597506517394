import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../../common/domain-error';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';

export interface GetAttachmentInput {
  actor: Actor;
  attachmentId: string;
}

export interface AttachmentContent {
  filename: string | null;
  contentType: string | null;
  size: number;
  content: Buffer;
}

/** The bytes of a stored attachment, for members of the inbox its conversation is in (404 across accounts). */
@Injectable()
export class GetAttachmentUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute({ actor, attachmentId }: GetAttachmentInput): Promise<AttachmentContent> {
    const em = this.em.fork();
    const [row] = await em.execute<{ inbox_id: string; account_id: string; filename: string | null; content_type: string | null; size: number }[]>(
      `select c.inbox_id, c.account_id, b.filename, b.content_type, b.size
       from message_attachment_blobs b join messages m on m.id = b.message_id join conversations c on c.id = m.conversation_id
       where b.id = ?`,
      [attachmentId],
    );
    if (!row || row.account_id !== actor.accountId) throw DomainError.notFound('attachment', attachmentId);
    await this.access.requireMember(actor, row.inbox_id, em);
    const [blob] = await em.execute<{ content: Buffer }[]>(`select content from message_attachment_blobs where id = ?`, [attachmentId]);
    return { filename: row.filename, contentType: row.content_type, size: row.size, content: blob.content };
  }
}
