import { Account } from '../modules/accounts/account.entity';
import { AuthToken } from '../modules/auth/auth-token.entity';
import {
  Contact,
  ContactAttributeDefinition,
  ContactFavourite,
  ContactIdentity,
  ContactOptOut,
  DeletedContact,
} from '../modules/contacts/contact.entity';
import { Conversation, ConversationTag, ConversationUserState } from '../modules/conversations/conversation.entity';
import { Message } from '../modules/conversations/message.entity';
import { InboxMembership } from '../modules/inboxes/inbox-membership.entity';
import { Inbox } from '../modules/inboxes/inbox.entity';
import { SavedReply } from '../modules/saved-replies/saved-reply.entity';
import { Team, TeamMember } from '../modules/teams/team.entity';
import { User } from '../modules/users/user.entity';

/** Every entity, listed once for the ORM (no folder globbing, so ts and js builds behave alike). */
export const ENTITIES = [
  Account,
  User,
  AuthToken,
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
  SavedReply,
];
