import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EMAIL_REFUSALS_KEPT, type RefusalReason } from '../forwarding/email-forwarding.entity';

export interface RecordIngressRefusalInput {
  inboxId: string;
  recipient: string;
  reason: RefusalReason;
  /** The SMTP answer given (code and text). */
  response: string;
  mailFrom?: string | null;
  size?: number | null;
  remoteAddress?: string | null;
}

/** Lists a refused mail with its inbox; only the newest EMAIL_REFUSALS_KEPT per inbox are kept. */
@Injectable()
export class RecordIngressRefusalUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: RecordIngressRefusalInput): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      await tx.execute(
        `insert into email_ingress_refusals (inbox_id, recipient, mail_from, reason, response, size, remote_address) values (?, ?, ?, ?, ?, ?, ?)`,
        [
          input.inboxId,
          input.recipient.slice(0, 320),
          input.mailFrom ? input.mailFrom.slice(0, 320) : null,
          input.reason,
          input.response.slice(0, 500),
          input.size !== undefined && input.size !== null && Number.isSafeInteger(input.size) ? input.size : null,
          input.remoteAddress ?? null,
        ],
      );
      await tx.execute(
        `delete from email_ingress_refusals where inbox_id = ? and id < (
           select min(id) from (select id from email_ingress_refusals where inbox_id = ? order by id desc limit ?) newest)`,
        [input.inboxId, input.inboxId, EMAIL_REFUSALS_KEPT],
      );
    });
  }
}
