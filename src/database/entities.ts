import { Account } from '../modules/accounts/account.entity';
import { Campaign, CampaignRecipient } from '../modules/campaigns/campaign.entity';
import { AuthToken } from '../modules/auth/auth-token.entity';
import { RateLimitCounter } from '../modules/auth/rate-limit-counter.entity';
import {
  Contact,
  ContactAttributeDefinition,
  ContactFavourite,
  ContactIdentity,
  ContactOptOut,
  DeletedContact,
} from '../modules/contacts/contact.entity';
import { WorkSlot } from '../modules/contacts/work-slot.entity';
import { Conversation, ConversationTag, ConversationUserState } from '../modules/conversations/conversation.entity';
import { ConversationDecision } from '../modules/conversations/conversation-decision.entity';
import { Message } from '../modules/conversations/message.entity';
import { CsatSurvey } from '../modules/csat/csat-survey.entity';
import { AgentPresence } from '../modules/presence/agent-presence.entity';
import { InboxMembership } from '../modules/inboxes/inbox-membership.entity';
import { Inbox } from '../modules/inboxes/inbox.entity';
import { SmsChannel } from '../modules/channels/sms/sms-channel.entity';
import { EmailChannel } from '../modules/channels/email/email-channel.entity';
import { MessageAttachmentBlob } from '../modules/channels/email/message-attachment-blob.entity';
import { EmailForwardingAddress, EmailIngressRefusal } from '../modules/channels/email/forwarding/email-forwarding.entity';
import { SavedReply } from '../modules/saved-replies/saved-reply.entity';
import { Team, TeamMember } from '../modules/teams/team.entity';
import { User } from '../modules/users/user.entity';
import { AutomationFiring } from '../modules/automation/automation-firing.entity';
import { AutomationRule } from '../modules/automation/automation-rule.entity';
import { AutomationRun } from '../modules/automation/automation-run.entity';
import { ConversationEvent } from '../modules/conversations/conversation-event.entity';
import { CampaignLiveProgress, LiveEvent, LiveEventBatch, LiveEventTicket } from '../modules/live-events/live-event.entity';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage, WebhookSequence } from '../modules/webhooks/webhook.entity';
import { CrmCall, CrmConnector, CrmContactLink, CrmLookupRequest } from '../modules/crm/crm.entity';

/** Every entity, listed once for the ORM (no folder globbing, so ts and js builds behave alike). */
export const ENTITIES = [
  Account,
  User,
  AuthToken,
  RateLimitCounter,
  WorkSlot,
  Team,
  TeamMember,
  Inbox,
  InboxMembership,
  Contact,
  ContactIdentity,
  ContactAttributeDefinition,
  ContactFavourite,
  ContactOptOut,
  DeletedContact,
  Conversation,
  ConversationTag,
  ConversationUserState,
  Message,
  ConversationDecision,
  SavedReply,
  AgentPresence,
  CsatSurvey,
  SmsChannel,
  EmailChannel,
  MessageAttachmentBlob,
  EmailForwardingAddress,
  EmailIngressRefusal,
  Campaign,
  CampaignRecipient,
  ConversationEvent,
  AutomationRule,
  AutomationRun,
  AutomationFiring,
  LiveEvent,
  LiveEventTicket,
  CampaignLiveProgress,
  LiveEventBatch,
  WebhookEndpoint,
  WebhookMessage,
  WebhookDelivery,
  WebhookAttempt,
  WebhookSequence,
  CrmConnector,
  CrmContactLink,
  CrmCall,
  CrmLookupRequest,
];
