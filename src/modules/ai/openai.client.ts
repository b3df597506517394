import { Inject, Injectable } from '@nestjs/common';
import OpenAI from 'openai';
import { APP_CONFIG, ServiceConfig } from '../../config/config';
import { DomainError } from '../../common/domain-error';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionOptions {
  temperature?: number;
  maxTokens?: number;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * The model could not be asked: no key, a timeout, an HTTP error, no answer. `reason` is short and
 * readable ("timed out after 500 ms", "HTTP 500: ..."), for decisions and error messages.
 * Code DEPENDENCY_UNAVAILABLE (503 over HTTP).
 */
export class OpenAiError extends DomainError {
  constructor(
    readonly reason: string,
    readonly kind: 'not_configured' | 'timeout' | 'http' | 'connection' | 'empty',
  ) {
    super('DEPENDENCY_UNAVAILABLE', `the OpenAI API failed: ${reason}`);
    this.name = 'OpenAiError';
  }
}

/**
 * The one place that talks to the OpenAI chat completions API (the AI agent, the message assistant).
 * The SDK client is created on first use from the configuration (OPENAI_API_KEY, OPENAI_BASE_URL,
 * OPENAI_TIMEOUT_MS); it never retries by itself: callers decide what a failure means.
 */
@Injectable()
export class OpenAiClient {
  private client?: OpenAI;

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig) {}

  /** False when OPENAI_API_KEY is not set: nothing can be asked. */
  isConfigured(): boolean {
    return Boolean(this.config.ai.apiKey);
  }

  /** The model every completion uses (OPENAI_MODEL). */
  get model(): string {
    return this.config.ai.model;
  }

  get timeoutMs(): number {
    return this.config.ai.timeoutMs;
  }

  /**
   * One chat completion; returns the answer's text, trimmed. Throws OpenAiError when not configured,
   * on a timeout (OPENAI_TIMEOUT_MS), an HTTP or connection error, or an empty answer.
   */
  async complete(messages: ChatMessage[], opts: CompletionOptions = {}): Promise<string> {
    const client = this.sdk();
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    const started = Date.now();
    try {
      completion = await client.chat.completions.create({
        model: this.model,
        messages,
        ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
        ...(opts.maxTokens === undefined ? {} : { max_tokens: opts.maxTokens }),
      });
    } catch (err) {
      throw this.describe(err, Date.now() - started);
    }
    const text = completion.choices?.[0]?.message?.content?.trim();
    if (!text) throw new OpenAiError('the model returned no text', 'empty');
    return text;
  }

  private sdk(): OpenAI {
    const { apiKey, baseUrl, timeoutMs } = this.config.ai;
    if (!apiKey) throw new OpenAiError('not configured (OPENAI_API_KEY is missing)', 'not_configured');
    this.client ??= new OpenAI({ apiKey, baseURL: baseUrl ?? DEFAULT_BASE_URL, timeout: timeoutMs, maxRetries: 0 });
    return this.client;
  }

  private describe(err: unknown, elapsedMs: number): OpenAiError {
    const timedOut = new OpenAiError(`timed out after ${this.timeoutMs} ms`, 'timeout');
    if (err instanceof OpenAI.APIConnectionTimeoutError) return timedOut;
    // The SDK recognises its own abort by the error's class; where that class comes from another realm
    // (a VM sandbox, as under jest) it reports a plain connection error, so the clock decides.
    if (err instanceof OpenAI.APIConnectionError && elapsedMs >= this.timeoutMs) return timedOut;
    if (err instanceof OpenAI.APIConnectionError) return new OpenAiError(`connection error: ${short(cause(err))}`, 'connection');
    if (err instanceof OpenAI.APIError && err.status) {
      const detail = (err.error as { message?: unknown } | undefined)?.message;
      return new OpenAiError(`HTTP ${err.status}${typeof detail === 'string' && detail ? `: ${short(detail)}` : ''}`, 'http');
    }
    return new OpenAiError(short((err as Error)?.message ?? String(err)), 'connection');
  }
}

/** The innermost cause's message ("fetch failed" is less useful than "connect ECONNREFUSED 127.0.0.1:1"). */
function cause(err: Error): string {
  let message = err.message;
  let current: unknown = (err as { cause?: unknown }).cause;
  for (let depth = 0; current instanceof Object && depth < 5; depth += 1) {
    const m = (current as { message?: unknown }).message;
    if (typeof m === 'string' && m) message = m;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}

function short(text: string, max = 200): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
