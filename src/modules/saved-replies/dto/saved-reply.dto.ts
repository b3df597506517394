import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { SAVED_REPLY_SCOPES, type SavedReply, type SavedReplyScope } from '../saved-reply.entity';

export const SHORTCUT = /^[a-z0-9_-]{1,50}$/;
const SHORTCUT_PROBLEM = 'must be 1-50 characters of a-z, 0-9, _ and - (stored lower-cased)';
const shortcutValue = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class CreateSavedReplyDto {
  @ApiProperty({ enum: SAVED_REPLY_SCOPES, description: 'personal: only you; inbox: members of the inbox; team: members of the team' })
  @IsIn(SAVED_REPLY_SCOPES)
  scope!: SavedReplyScope;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for scope inbox (you must manage the inbox)' })
  @IsOptional()
  @IsUUID()
  inboxId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for scope team (administrators)' })
  @IsOptional()
  @IsUUID()
  teamId?: string;

  @ApiProperty({ example: 'refund', description: 'Keyword, unique within the scope; lower-cased' })
  @Transform(shortcutValue)
  @IsString()
  @Matches(SHORTCUT, { message: SHORTCUT_PROBLEM })
  shortcut!: string;

  @ApiProperty({ example: 'Hi {{contact.first_name}}, your refund is on its way.', description: 'May use variables, see GET /api/v1/variables' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(10_000)
  content!: string;
}

export class UpdateSavedReplyDto {
  @ApiPropertyOptional({ example: 'refund' })
  @IsOptional()
  @Transform(shortcutValue)
  @IsString()
  @Matches(SHORTCUT, { message: SHORTCUT_PROBLEM })
  shortcut?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(10_000)
  content?: string;
}

export class ListSavedRepliesQuery {
  @ApiPropertyOptional({ description: 'Shortcut prefix matches first, then replies whose text contains it' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Only this inbox's shared replies (plus personal and team ones)" })
  @IsOptional()
  @IsUUID()
  inboxId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class RenderSavedReplyDto {
  @ApiProperty({ format: 'uuid', description: "The conversation whose contact the variables are rendered for" })
  @IsUUID()
  conversationId!: string;
}

export class RenderedSavedReplyView {
  @ApiProperty({ example: 'Hi Jane, your refund is on its way.' }) text!: string;
}

export class SavedReplyView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: SAVED_REPLY_SCOPES }) scope!: SavedReplyScope;
  @ApiProperty({ nullable: true, type: String, description: 'scope inbox' }) inboxId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'scope team' }) teamId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'scope personal: the owner' }) ownerUserId!: string | null;
  @ApiProperty() shortcut!: string;
  @ApiProperty() content!: string;
  @ApiProperty() createdByUserId!: string;
  @ApiProperty({ description: 'Whether the caller may change or delete it' }) canEdit!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;

  static of(r: SavedReply, canEdit: boolean): SavedReplyView {
    return {
      id: r.id,
      scope: r.scope,
      inboxId: r.scope === 'inbox' ? r.scopeId : null,
      teamId: r.scope === 'team' ? r.scopeId : null,
      ownerUserId: r.scope === 'personal' ? r.scopeId : null,
      shortcut: r.shortcut,
      content: r.content,
      createdByUserId: r.createdByUserId,
      canEdit,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}
