/** Workflow bundle entry: exports every workflow. Deterministic code only (see eslint.config.mjs). */
export { agentPresenceWorkflow } from './agent-presence/agent-presence.workflow';
export { campaignRunWorkflow } from './campaign/campaign-run.workflow';
export { conversationWorkflow } from './conversation/conversation.workflow';
export { mailboxWorkflow } from './mailbox/mailbox.workflow';
