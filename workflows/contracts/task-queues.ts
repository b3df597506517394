/** Default task queue names; deployments override them through TEMPORAL_TASK_QUEUE. */
export const CONVERSATIONS_TASK_QUEUE = 'conversations';
