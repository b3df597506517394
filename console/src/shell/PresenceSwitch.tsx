import { Switch, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, unwrap } from '../api/client';

const PRESENCE_KEY = ['presence'] as const;
/** Well within the server's PRESENCE_HEARTBEAT_TIMEOUT_SECONDS (its answer says how long that is). */
const HEARTBEAT_MS = 30_000;

/**
 * The agent's presence (online / offline) in the header: GET/PUT /api/v1/presence. While online
 * and the tab is open, a heartbeat every ~30 s keeps the session alive for routing (a heartbeat
 * would bring an offline agent back, so none is sent while offline).
 */
export function PresenceSwitch() {
  const queryClient = useQueryClient();
  const presence = useQuery({ queryKey: PRESENCE_KEY, queryFn: () => unwrap(api.GET('/api/v1/presence')), staleTime: 60_000 });
  const online = presence.data?.online ?? false;
  const timeoutMs = (presence.data?.heartbeatTimeoutSeconds ?? 90) * 1000;

  const change = useMutation({
    mutationFn: (next: boolean) => unwrap(api.PUT('/api/v1/presence', { body: { online: next } })),
    onSuccess: (state) => queryClient.setQueryData(PRESENCE_KEY, state),
  });

  useEffect(() => {
    if (!online) return;
    const every = Math.max(5_000, Math.min(HEARTBEAT_MS, timeoutMs / 3));
    const beat = () => void unwrap(api.POST('/api/v1/presence/heartbeat')).catch(() => undefined);
    const timer = window.setInterval(beat, every);
    return () => window.clearInterval(timer);
  }, [online, timeoutMs]);

  const label = online ? 'Online' : 'Offline';
  return (
    <Tooltip label={online ? 'You get new conversations. Switch off to stop.' : 'You get no new conversations. Switch on to take some.'}>
      <Switch
        label={label}
        aria-label="Online"
        color="green"
        checked={online}
        disabled={presence.isPending || change.isPending}
        onChange={(e) => change.mutate(e.currentTarget.checked)}
      />
    </Tooltip>
  );
}
