/** Bundle entry of the conversations task queue (TEMPORAL_TASK_QUEUE): the workflows its worker runs. */
export { agentPresenceWorkflow } from '../agent-presence/agent-presence.workflow';
export { conversationWorkflow } from '../conversation/conversation.workflow';
export { mailboxWorkflow } from '../mailbox/mailbox.workflow';
