export * from './agent-presence.contract';
export * from './conversation.contract';
export * from './mailbox.contract';
export * from './search-attributes';
export * from './task-queues';
export * from './campaign.contract';
export * from './webhook.contract';
export * from './crm.contract';
