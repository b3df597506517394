import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';

const TWILIO_HOSTS = /^https:\/\/[a-z0-9.-]*\.twilio\.com/i;

/**
 * The official client's own HTTP client, with every https://*.twilio.com URL rewritten to `baseUrl`.
 * Used only when TWILIO_API_BASE_URL is set (tests point it at a local server that answers like the
 * Twilio REST API); request shapes, auth and error parsing stay the client's own.
 */
export class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    opts?: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(opts);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_HOSTS, this.baseUrl) });
  }
}

/** Builds Twilio REST clients for an inbox's credentials (one per call: they are cheap, tokens differ per inbox). */
@Injectable()
export class TwilioClientFactory {
  private readonly httpClient: twilio.RequestClient;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig) {
    const opts = { timeout: config.twilio.timeoutMs, autoRetry: false };
    this.httpClient = config.twilio.apiBaseUrl ? new RebasedRequestClient(config.twilio.apiBaseUrl, opts) : new twilio.RequestClient(opts);
  }

  create(accountSid: string, authToken: string): twilio.Twilio {
    return twilio(accountSid, authToken, { httpClient: this.httpClient });
  }
}
