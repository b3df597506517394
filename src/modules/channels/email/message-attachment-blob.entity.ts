import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Message } from '../../conversations/message.entity';

/**
 * The bytes of an email attachment, in Postgres (bytea), deleted with their message. The message's
 * `attachments` list points at it (`/api/v1/attachments/<id>`); attachments above
 * EMAIL_MAX_ATTACHMENT_BYTES are never stored (the message says which were dropped).
 */
@Entity({ tableName: 'message_attachment_blobs' })
export class MessageAttachmentBlob {
  [OptionalProps]?: 'createdAt' | 'filename' | 'contentType';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Message, { ref: true, deleteRule: 'cascade', index: true })
  message!: Ref<Message>;

  @Property({ type: 'text', nullable: true })
  filename: string | null = null;

  @Property({ type: 'text', nullable: true })
  contentType: string | null = null;

  @Property({ type: 'integer' })
  size!: number;

  @Property({ type: 'blob', lazy: true })
  content!: Buffer;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
