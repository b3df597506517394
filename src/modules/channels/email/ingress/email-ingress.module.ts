import { Module } from '@nestjs/common';
import { EmailModule } from '../email.module';
import { SmtpIngressServer } from './smtp-ingress.server';

/**
 * The SMTP ingress for forwarding addresses: part of the API process (AppModule), not of the worker.
 * It writes mail through EmailModule's inbound path, as the mailbox workflow's activities do.
 */
@Module({
  imports: [EmailModule],
  providers: [SmtpIngressServer],
  exports: [SmtpIngressServer],
})
export class EmailIngressModule {}
