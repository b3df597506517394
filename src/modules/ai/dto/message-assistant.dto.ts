import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import {
  DRAFT_CAMPAIGN_TYPES,
  DRAFT_CHANNELS,
  DRAFT_TONES,
  type DraftCampaignType,
  type DraftChannel,
  type DraftTone,
} from '../use-cases/draft-campaign-message.use-case';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class DraftCampaignMessageDto {
  @ApiProperty({ example: 'Our spring sale: 20% off all shoes until Sunday', minLength: 1, maxLength: 500, description: 'What the message is about (sent to the model as is)' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  topic!: string;

  @ApiProperty({ enum: DRAFT_TONES })
  @IsIn(DRAFT_TONES, { message: `must be one of: ${DRAFT_TONES.join(', ')}` })
  tone!: DraftTone;

  @ApiProperty({ enum: DRAFT_CAMPAIGN_TYPES })
  @IsIn(DRAFT_CAMPAIGN_TYPES, { message: `must be one of: ${DRAFT_CAMPAIGN_TYPES.join(', ')}` })
  campaignType!: DraftCampaignType;

  @ApiPropertyOptional({ enum: DRAFT_CHANNELS, description: `sms: plain text of at most 320 characters (a longer answer is cut at a sentence end); email: the body, no subject line; api or none: a short chat message` })
  @IsOptional()
  @IsIn(DRAFT_CHANNELS, { message: `must be one of: ${DRAFT_CHANNELS.join(', ')}` })
  channel?: DraftChannel;

  @ApiPropertyOptional({ example: 'German', description: 'Language of the draft, a name or code ("German", "de", "pt-BR"); default: the language of the topic' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Matches(/^\p{L}[\p{L} ()-]{1,39}$/u, { message: 'must be a language name or code of 2-40 letters, e.g. "German" or "pt-BR"' })
  language?: string;
}

export class MessageDraftView {
  @ApiProperty({ description: 'The suggested text; edit it before use, nothing is sent', example: 'Hi {{contact.first_name}}, our spring sale starts today: 20% off all shoes until Sunday!' })
  draft!: string;

  @ApiProperty({ description: 'The model that wrote it (OPENAI_MODEL)' })
  model!: string;

  @ApiProperty({ description: 'How long the model took, in milliseconds' })
  tookMs!: number;

  @ApiProperty({ enum: DRAFT_CHANNELS, nullable: true, type: String })
  channel!: DraftChannel | null;

  @ApiProperty({ description: 'Length of the draft in characters (UTF-16 code units, as SMS counts them), before variables are filled in' })
  characters!: number;

  @ApiProperty({ nullable: true, type: Number, description: 'The length limit applied (320 for SMS), or null' })
  maxCharacters!: number | null;

  @ApiProperty({ description: "True when the model's text exceeded maxCharacters and was cut (see notes)" })
  shortened!: boolean;

  @ApiProperty({ type: [String], description: 'Variables the draft uses that the account knows, e.g. contact.first_name' })
  variables!: string[];

  @ApiProperty({ type: [String], description: 'Variables the draft uses that the account does not know: replace them before saving a template' })
  unknownVariables!: string[];

  @ApiProperty({ type: [String], description: 'What to check before use, in words (shortened, unknown variables)' })
  notes!: string[];
}
