import type { Schemas } from '../../api/client';

export type Campaign = Schemas['CampaignView'];
export type CampaignStatus = Campaign['status'];

export const STATUS_COLOR: Record<CampaignStatus, string> = {
  draft: 'gray',
  scheduled: 'indigo',
  running: 'blue',
  paused: 'yellow',
  completed: 'green',
  cancelled: 'dark',
  failed: 'red',
};

export const STATUS_LABEL: Record<CampaignStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export const TYPE_LABEL: Record<Campaign['type'], string> = { one_off: 'One-off', promotional: 'Promotional', notification: 'Notification' };

/** "1 h 02 min", "45 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export const formatDateTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
