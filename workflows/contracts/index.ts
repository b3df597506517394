export * from './conversation.contract';
export * from './search-attributes';
export * from './task-queues';
