/** Workflow bundle entry: exports every workflow. Deterministic code only (see eslint.config.mjs). */
export { conversationWorkflow } from './conversation/conversation.workflow';
