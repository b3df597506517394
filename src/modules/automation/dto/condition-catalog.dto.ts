import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONDITION_OPERATORS } from '../../routing/conditions';
import { ACTION_TYPES, EVENT_TRIGGERS, TIME_TRIGGERS } from '../automation-rule.types';

const KINDS = ['string', 'text', 'number', 'boolean', 'string[]', 'datetime', 'enum', 'weekday', 'time'];

export class CatalogAttributeView {
  @ApiProperty({ example: 'conversation.status', description: 'The attribute path a condition names' }) path!: string;
  @ApiProperty({ enum: KINDS, description: 'Its type (decides the operators and the value)' }) kind!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String], enum: CONDITION_OPERATORS, description: 'The operators that fit it in automation rules' }) operators!: string[];
  @ApiPropertyOptional({ type: [String], description: 'enum and weekday: the values it may take' }) values?: string[];
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
  @ApiPropertyOptional() integer?: boolean;
  @ApiProperty({ description: 'Routing rules may read it too' }) routing!: boolean;
}

export class ConditionCatalogView {
  @ApiProperty({ type: [CatalogAttributeView], description: "Every attribute a condition may name, the account's custom contact attributes (contact.attributes.<key>) included" })
  attributes!: CatalogAttributeView[];
  @ApiProperty({ type: [String], enum: CONDITION_OPERATORS }) operators!: string[];
  @ApiProperty({ type: [String], enum: EVENT_TRIGGERS }) eventTriggers!: string[];
  @ApiProperty({ type: [String], enum: TIME_TRIGGERS, description: 'Time-based triggers: they take minutes' }) timeTriggers!: string[];
  @ApiProperty({ type: [String], enum: ACTION_TYPES }) actionTypes!: string[];
  @ApiProperty({ description: 'How deep condition groups may nest' }) maxGroupDepth!: number;
  @ApiProperty({ description: 'The shortest duration of a time-based trigger, in minutes (AUTOMATION_MIN_DURATION_SECONDS / 60)' }) minTriggerMinutes!: number;
}
