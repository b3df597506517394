/**
 * Live updates for every screen: one event stream per tab (stream.ts), shared through context.
 *   useLiveEvent(['conversation.created', 'message.created'], (e) => queryClient.invalidateQueries(...))
 * A `reset` (the stream missed too much) or an access change refetches every query.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { session } from '../auth/session';
import { type LiveEnvelope, type LiveEventOf, type LiveEventType, type LiveStatus, openLiveStream } from './stream';

type Listener = (event: LiveEnvelope) => void;

interface LiveContextValue {
  subscribe: (listener: Listener) => () => void;
  status: LiveStatus;
}

const LiveContext = createContext<LiveContextValue | null>(null);

export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const listeners = useRef(new Set<Listener>());
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    const stream = openLiveStream({
      token: () => session.token(),
      onStatus: setStatus,
      onStale: () => void queryClient.invalidateQueries(),
      onUnauthorized: () => session.clear(),
      onEvent: (event) => {
        if (event.type === 'access.changed') void queryClient.invalidateQueries();
        for (const l of listeners.current) l(event);
      },
    });
    return () => stream.close();
  }, [queryClient]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo<LiveContextValue>(() => ({ status, subscribe }), [status, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

/** Calls `handler` for each live event of these types (the latest handler; no resubscribe needed). */
export function useLiveEvent<T extends LiveEventType>(types: readonly T[], handler: (event: LiveEventOf<T>) => void): void {
  const subscribe = useContext(LiveContext)?.subscribe;
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  const key = types.join(',');
  useEffect(() => {
    if (!subscribe) return;
    const wanted = new Set<string>(key.split(','));
    return subscribe((event) => {
      if (wanted.has(event.type)) latest.current(event as LiveEventOf<T>);
    });
  }, [subscribe, key]);
}

/** 'connecting' | 'live' | 'reconnecting' | 'closed' — for a "live" indicator. */
export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext)?.status ?? 'closed';
}
