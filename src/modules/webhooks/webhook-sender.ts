import * as http from 'node:http';
import * as https from 'node:https';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { OutboundAddressRefused, OutboundLookupFailed, resolveOutboundTarget } from '../../common/outbound-address';
import { pinnedLookup } from '../../common/outbound-http';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';

export interface SendResult {
  /** null: no answer (timeout, refused address, connection error: see error). */
  status: number | null;
  retryAfter: string | null;
  excerpt: string | null;
  durationMs: number;
  error: string | null;
}

/**
 * POSTs one signed webhook. The URL's host goes through the outbound-address guard at every attempt
 * and the request connects to the address that was checked (the lookup is pinned to it; TLS still
 * checks the host name). Redirects are not followed (3xx is a failure), the whole attempt has
 * WEBHOOK_TIMEOUT_MS, and at most WEBHOOK_RESPONSE_EXCERPT_BYTES of the answer are read.
 */
@Injectable()
export class WebhookSender implements OnModuleDestroy {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig) {}

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** `timeoutMs`: the endpoint's own budget (a CRM connector's timeout), else WEBHOOK_TIMEOUT_MS. */
  async send(rawUrl: string, headers: Record<string, string>, body: string, timeoutMs = this.config.webhooks.timeoutMs): Promise<SendResult> {
    const started = Date.now();
    const { responseExcerptBytes } = this.config.webhooks;
    const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Date.now() - started });
    const url = new URL(rawUrl);
    let address: string;
    let family: 4 | 6;
    try {
      ({ address, family } = await resolveOutboundTarget(url.hostname.replace(/^\[|\]$/g, ''), this.config.outbound, { field: 'url' }));
    } catch (err) {
      if (err instanceof OutboundAddressRefused || err instanceof OutboundLookupFailed) return done({ status: null, retryAfter: null, excerpt: null, error: err.message });
      throw err;
    }
    const lookup = pinnedLookup({ address, family });
    const isHttps = url.protocol === 'https:';
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (r: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(done(r));
      };
      const req = (isHttps ? https : http).request(url, {
        method: 'POST',
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'cx-platform-webhooks/1',
        },
      });
      const timer = setTimeout(() => {
        finish({ status: null, retryAfter: null, excerpt: null, error: `timed out after ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish({ status: null, retryAfter: null, excerpt: null, error: `connection failed: ${err.code ?? err.message}` }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const complete = () => {
          const excerpt = Buffer.concat(chunks).subarray(0, responseExcerptBytes).toString('utf8');
          const retryAfter = res.headers['retry-after'];
          finish({ status: res.statusCode ?? null, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, excerpt: excerpt || null, error: null });
        };
        res.on('data', (chunk: Buffer) => {
          if (size < responseExcerptBytes) chunks.push(chunk);
          size += chunk.length;
          if (size >= responseExcerptBytes) {
            complete();
            res.destroy();
          }
        });
        res.on('end', complete);
        res.on('error', complete);
      });
      req.end(body);
    });
  }
}
