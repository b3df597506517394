import { csvLine } from '../contacts/csv';
import type { CampaignResults } from './get-campaign-results.use-case';
import type { ConversationReport, ConversationReportRow } from './get-conversation-report.use-case';

const METRICS = ['firstResponse', 'reply', 'resolution'] as const;
const CLOCKS = ['calendar', 'business'] as const;
const STATS = ['count', 'average', 'median', 'p90'] as const;

const num = (v: number | null) => (v === null ? '' : String(v));

/** The conversation report as CSV: one row per total, period, inbox, agent and team (a `grouping` column), durations in seconds. */
export function conversationReportCsv(report: ConversationReport): string {
  const header = ['grouping', 'key', 'label', 'created', 'resolved'];
  for (const m of METRICS) for (const c of CLOCKS) for (const s of STATS) header.push(`${m}_${c}_${s}${s === 'count' ? '' : '_seconds'}`);
  const line = (grouping: string, r: ConversationReportRow) => {
    const cells = [grouping, r.key, r.label, num(r.created), String(r.resolved)];
    for (const m of METRICS) for (const c of CLOCKS) for (const s of STATS) cells.push(num(r[m][c][s]));
    return csvLine(cells);
  };
  return [
    csvLine(header),
    line('total', report.total),
    ...report.periods.map((r) => line(report.groupBy, r)),
    ...report.inboxes.map((r) => line('inbox', r)),
    ...report.agents.map((r) => line('agent', r)),
    ...report.teams.map((r) => line('team', r)),
  ].join('');
}

export function campaignResultsCsv(results: CampaignResults): string {
  const cols = ['recipients', 'sent', 'delivered', 'failed', 'optedOut', 'replied'] as const;
  return [
    csvLine(['campaign_id', 'name', 'inbox_id', 'inbox', 'status', 'started_at', 'recipients', 'sent', 'delivered', 'failed', 'opted_out', 'replied_within_7_days']),
    ...results.campaigns.map((c) => csvLine([c.campaignId, c.name, c.inboxId, c.inboxName, c.status, c.startedAt, ...cols.map((k) => String(c[k]))])),
  ].join('');
}
