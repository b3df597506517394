import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { Account } from '../../accounts/account.entity';
import type { Actor } from '../../auth/actor';
import { InboxMembership } from '../../inboxes/inbox-membership.entity';
import { findUnknownVariables, variableNames } from '../../variables/template';
import { VariablesService } from '../../variables/variables.service';
import { cleanDraft, fitToLength, SMS_MAX_CHARS } from '../draft-text';
import { type ChatMessage, OpenAiClient, OpenAiError } from '../openai.client';

export const DRAFT_TONES = ['friendly', 'formal', 'casual', 'urgent', 'professional', 'playful', 'empathetic'] as const;
export type DraftTone = (typeof DRAFT_TONES)[number];

export const DRAFT_CAMPAIGN_TYPES = ['promotional', 'notification', 'reminder', 'announcement', 'follow_up'] as const;
export type DraftCampaignType = (typeof DRAFT_CAMPAIGN_TYPES)[number];

export const DRAFT_CHANNELS = ['sms', 'email', 'api'] as const;
export type DraftChannel = (typeof DRAFT_CHANNELS)[number];

export interface DraftCampaignMessageInput {
  actor: Actor;
  /** 1-500 characters, what the message is about; the model's user message, as is. */
  topic: string;
  tone: DraftTone;
  campaignType: DraftCampaignType;
  channel?: DraftChannel;
  /** e.g. "German", "de"; default: the topic's language. */
  language?: string;
}

export interface MessageDraft {
  draft: string;
  model: string;
  tookMs: number;
  channel: DraftChannel | null;
  characters: number;
  maxCharacters: number | null;
  shortened: boolean;
  variables: string[];
  unknownVariables: string[];
  notes: string[];
}

const TONE_GUIDE: Record<DraftTone, string> = {
  friendly: 'warm and approachable',
  formal: 'polite and formal, no slang',
  casual: 'relaxed and conversational',
  urgent: 'direct and time-sensitive, with a clear call to act now, without shouting',
  professional: 'clear, confident and businesslike',
  playful: 'light and witty',
  empathetic: 'understanding and considerate',
};

const TYPE_GUIDE: Record<DraftCampaignType, string> = {
  promotional: 'promotes an offer, product or sale and ends with a clear call to action',
  notification: 'informs the recipient about something that concerns them',
  reminder: 'reminds the recipient of something upcoming or pending',
  announcement: 'announces news to the recipient',
  follow_up: 'follows up on an earlier interaction',
};

const CHANNEL_GUIDE: Record<DraftChannel | 'none', string> = {
  sms: `an SMS: plain text of at most ${SMS_MAX_CHARS} characters in total (placeholders included), no markdown, no subject, no signature block`,
  email: 'the body of an email: plain text in short paragraphs, a greeting and a sign-off, no subject line, no markdown',
  api: 'a chat message: plain text of a few sentences, no markdown',
  none: 'a short plain-text message of a few sentences, no markdown',
};

const MAX_TOKENS: Record<DraftChannel | 'none', number> = { sms: 200, email: 700, api: 400, none: 400 };
/** At most this many placeholders are offered to the model (built-ins first, then custom attributes). */
const MAX_OFFERED_VARIABLES = 30;

export const MESSAGE_ASSISTANT_ERRORS = {
  notManager: 'drafting campaign messages needs the manager role in an inbox or the account administrator role',
  disabled:
    'the Message Assistant needs the account setting messageAssistantEnabled, which is off for this account; ' +
    'an account administrator can turn it on with PATCH /api/v1/account {"settings":{"messageAssistantEnabled":true}}',
  notConfigured: 'the Message Assistant is not configured on this server: OPENAI_API_KEY is not set (the operator sets it)',
} as const;

/** The instructions: tone, campaign type, channel, language, the placeholders the account knows. */
export function messageAssistantSystemPrompt(opts: {
  tone: DraftTone;
  campaignType: DraftCampaignType;
  channel?: DraftChannel;
  language?: string;
  company: string;
  variables: string[];
  companyNamePrefixed: boolean;
}): string {
  const lines = [
    `You draft outbound campaign messages for ${JSON.stringify(opts.company)}. The user gives the topic.`,
    `Campaign type: ${opts.campaignType} (a message that ${TYPE_GUIDE[opts.campaignType]}).`,
    `Tone: ${opts.tone} (${TONE_GUIDE[opts.tone]}).`,
    `Channel: ${opts.channel ?? 'not specified'}; write ${CHANNEL_GUIDE[opts.channel ?? 'none']}.`,
    opts.language ? `Write in ${opts.language}.` : "Write in the topic's language.",
    `Personalise with placeholders written exactly like {{contact.first_name}}; use only these: ${opts.variables.map((v) => `{{${v}}}`).join(', ')}.`,
    'Invent no facts (prices, dates, codes, links) that the topic does not give; where one is needed, leave a gap in square brackets such as [date].',
  ];
  if (opts.companyNamePrefixed) lines.push('Do not start with the company name: it is added in front of every campaign message automatically.');
  lines.push('A person reviews and edits the draft before anything is sent. Answer with the message text only: no quotes around it, no explanations, no alternatives.');
  return lines.join('\n');
}

/**
 * The Message Assistant: a draft of a campaign message from topic, tone and campaign type, written
 * by the OpenAI chat completion model. Nothing is stored or sent; the manager edits the draft and
 * uses it in a campaign's template.
 *
 * Who: account administrators and managers of at least one inbox of the account (campaigns are a
 * manager's job; the draft is tied to no inbox, so any managed inbox qualifies); team members 403.
 * Then the account setting messageAssistantEnabled must be on (403 naming it), OPENAI_API_KEY must be
 * set (503 naming it). A failed, timed-out or empty model call is a 503 naming the cause.
 * SMS drafts longer than 320 characters are cut at the last sentence end that fits (else at a word,
 * with "…"); the result says so (shortened, notes).
 */
@Injectable()
export class DraftCampaignMessageUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly openai: OpenAiClient,
    private readonly variables: VariablesService,
  ) {}

  async execute(input: DraftCampaignMessageInput): Promise<MessageDraft> {
    const { actor } = input;
    const em = this.em.fork();
    if (!actor.isAdmin) {
      const managed = await em.count(InboxMembership, { user: actor.userId, role: 'manager', inbox: { account: actor.accountId } });
      if (managed === 0) throw new DomainError('FORBIDDEN', MESSAGE_ASSISTANT_ERRORS.notManager);
    }
    const account = await em.findOneOrFail(Account, { id: actor.accountId });
    if (!account.settings.messageAssistantEnabled) throw new DomainError('FORBIDDEN', MESSAGE_ASSISTANT_ERRORS.disabled);
    if (!this.openai.isConfigured()) throw new DomainError('DEPENDENCY_UNAVAILABLE', MESSAGE_ASSISTANT_ERRORS.notConfigured);

    const known = await this.variables.knownVariables(em, actor);
    const prompt: ChatMessage[] = [
      {
        role: 'system',
        content: messageAssistantSystemPrompt({
          tone: input.tone,
          campaignType: input.campaignType,
          channel: input.channel,
          language: input.language,
          company: account.companyName ?? account.name,
          variables: [...known].slice(0, MAX_OFFERED_VARIABLES),
          companyNamePrefixed: account.settings.companyNameInsertion,
        }),
      },
      { role: 'user', content: input.topic },
    ];

    const model = this.openai.model;
    const started = Date.now();
    let answer: string;
    try {
      answer = await this.openai.complete(prompt, { temperature: 0.7, maxTokens: MAX_TOKENS[input.channel ?? 'none'] });
    } catch (err) {
      throw err instanceof OpenAiError ? this.failure(err) : err;
    }
    const tookMs = Date.now() - started;

    const cleaned = cleanDraft(answer);
    if (!cleaned) throw this.failure(new OpenAiError('the model returned no text', 'empty'));
    const notes: string[] = [];
    const maxCharacters = input.channel === 'sms' ? SMS_MAX_CHARS : null;
    let draft = cleaned;
    let shortened = false;
    if (maxCharacters !== null) {
      const fitted = fitToLength(cleaned, maxCharacters);
      if (fitted.shortened) {
        draft = fitted.text;
        shortened = true;
        notes.push(
          `the model wrote ${cleaned.length} characters; cut ${fitted.cut === 'sentence' ? 'at a sentence end' : 'at a word'} to fit the SMS limit of ${maxCharacters}`,
        );
      }
    }
    const unknownVariables = findUnknownVariables(draft, known);
    if (unknownVariables.length) notes.push(`unknown variables, replace them before use: ${unknownVariables.map((v) => `{{${v}}}`).join(', ')}`);
    if (/\[[^\]\n]{1,40}\]/.test(draft)) notes.push('fill in the gaps in square brackets');
    return {
      draft,
      model,
      tookMs,
      channel: input.channel ?? null,
      characters: draft.length,
      maxCharacters,
      shortened,
      variables: variableNames(draft).filter((v) => known.has(v)),
      unknownVariables,
      notes,
    };
  }

  /** The client's error as a 503 naming the cause (and the setting behind a timeout). */
  private failure(err: OpenAiError): DomainError {
    switch (err.kind) {
      case 'not_configured':
        return new DomainError('DEPENDENCY_UNAVAILABLE', MESSAGE_ASSISTANT_ERRORS.notConfigured);
      case 'timeout':
        return new DomainError('DEPENDENCY_UNAVAILABLE', `the Message Assistant got no draft: the OpenAI API ${err.reason} (OPENAI_TIMEOUT_MS); try again`);
      case 'empty':
        return new DomainError('DEPENDENCY_UNAVAILABLE', `the Message Assistant got no draft: the model (${this.openai.model}) returned no text; try again or rephrase the topic`);
      case 'http':
        return new DomainError('DEPENDENCY_UNAVAILABLE', `the Message Assistant got no draft: the OpenAI API answered ${err.reason}`);
      default:
        return new DomainError('DEPENDENCY_UNAVAILABLE', `the Message Assistant got no draft: the OpenAI API (OPENAI_BASE_URL) could not be reached: ${err.reason}`);
    }
  }
}
