import { Account } from '../modules/accounts/account.entity';
import { Contact, ContactIdentity } from '../modules/contacts/contact.entity';
import { Conversation } from '../modules/conversations/conversation.entity';
import { Message } from '../modules/conversations/message.entity';
import { Inbox } from '../modules/inboxes/inbox.entity';

/** Every entity, listed once for the ORM (no folder globbing, so ts and js builds behave alike). */
export const ENTITIES = [Account, Inbox, Contact, ContactIdentity, Conversation, Message];
