import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';

export type Inbox = Schemas['InboxView'];
export type UpdateInboxBody = Schemas['UpdateInboxDto'];

export const inboxKey = (id: string) => ['inbox', id] as const;

export function useInbox(id: string) {
  return useQuery({ queryKey: inboxKey(id), queryFn: () => unwrap(api.GET('/api/v1/inboxes/{id}', { params: { path: { id } } })) });
}

/** PATCH /api/v1/inboxes/{id} (settings are merged by the API; lists and maps are replaced). */
export function useUpdateInbox(id: string, opts: { onSuccess?: (inbox: Inbox) => void; onError?: (e: unknown) => void } = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateInboxBody) => unwrap(api.PATCH('/api/v1/inboxes/{id}', { params: { path: { id } }, body })),
    onSuccess: (inbox) => {
      qc.setQueryData(inboxKey(id), inbox);
      void qc.invalidateQueries({ queryKey: ['inboxes'] });
      opts.onSuccess?.(inbox);
    },
    onError: opts.onError,
  });
}

export const CHANNEL_LABEL: Record<Inbox['channelType'], string> = { api: 'API', email: 'Email', sms: 'SMS (Twilio)' };
