import { Injectable } from '@nestjs/common';

/** The port this process's SMTP ingress listens on (null: not running here), as the channel views show it. */
@Injectable()
export class SmtpIngressState {
  port: number | null = null;
}
