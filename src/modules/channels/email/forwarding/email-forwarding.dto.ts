import { ApiProperty } from '@nestjs/swagger';
import { REFUSAL_REASONS } from './email-forwarding.entity';

export class EmailRefusalView {
  @ApiProperty({ description: 'When the mail was refused' }) at!: string;
  @ApiProperty({
    enum: REFUSAL_REASONS,
    description:
      'unknown_recipient: sent to a replaced forwarding address (refused at RCPT, 550); too_large: over SMTP_INGRESS_MAX_BYTES (552); too_many_recipients: more recipients in one mail than the ingress takes (452); temporary_failure: the mail could not be stored now (451: the sending server retries)',
  })
  reason!: string;
  @ApiProperty({ description: 'The SMTP answer the sending server got', example: '552 5.3.4 Message too large: 40 MB, the limit is 35 MB' }) response!: string;
  @ApiProperty({ description: 'The forwarding address it was sent to' }) recipient!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The envelope sender (MAIL FROM); null for a bounce' }) mailFrom!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Size in bytes, when known (as declared or as received)' }) size!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Address of the sending server' }) remoteAddress!: string | null;
}

export class EmailForwardingView {
  @ApiProperty() inboxId!: string;
  @ApiProperty({ example: 'k3j5d7q2m4n6p8r2t4v6@inbound.example.com', description: 'Mail sent (or forwarded) to this address lands in the inbox' }) address!: string;
  @ApiProperty({ description: 'INBOUND_EMAIL_DOMAIN: its MX record points at the SMTP ingress' }) domain!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The SMTP ingress port of the API (SMTP_INGRESS_PORT); null when it is off' }) ingressPort!: number | null;
  @ApiProperty({ description: 'Largest mail the ingress takes, in bytes (SMTP_INGRESS_MAX_BYTES)' }) maxBytes!: number;
  @ApiProperty({ nullable: true, type: String, description: 'When mail last arrived through the ingress (stored, or a repeat of a stored one)' }) lastReceivedAt!: string | null;
  @ApiProperty({ description: 'Mails taken through the ingress for this inbox (repeats included)' }) receivedCount!: number;
  @ApiProperty({ type: [EmailRefusalView], description: 'The newest refused mails, newest first (the last 50 are kept)' }) refusals!: EmailRefusalView[];
}
