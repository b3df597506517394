/** Bundle entry of the campaigns task queue (TEMPORAL_CAMPAIGN_TASK_QUEUE): the workflows its worker runs. */
export { campaignRunWorkflow } from '../campaign/campaign-run.workflow';
