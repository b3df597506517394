import { Module } from '@nestjs/common';
import { CsatReplies } from './csat-replies';

/**
 * The part of CSAT the inbound message path needs (ratings given by reply). Kept apart from
 * CsatModule so ConversationsModule can import it while CsatModule imports ConversationsModule.
 */
@Module({ providers: [CsatReplies], exports: [CsatReplies] })
export class CsatRepliesModule {}
