/**
 * Who is logged in and what they may see. Roles are per inbox in the API (member / manager) plus
 * the account administrator; the console sums them up:
 *   admin    account administrator (manager of every inbox, users, teams, account settings)
 *   manager  manager of at least one inbox (manager screens, for the inboxes they manage)
 *   agent    team member only (conversations)
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useSessionToken } from './session';

export type ConsoleRole = 'admin' | 'manager' | 'agent';

export interface Me {
  user: Schemas['UserView'];
  inboxes: Schemas['InboxView'][];
  role: ConsoleRole;
  isAdmin: boolean;
  isManager: boolean;
  /** Inboxes whose settings the user may change (manager or admin there). */
  managedInboxIds: string[];
}

export const ME_QUERY_KEY = ['me'] as const;

export function roleAtLeast(role: ConsoleRole, needed: ConsoleRole): boolean {
  const rank: Record<ConsoleRole, number> = { agent: 0, manager: 1, admin: 2 };
  return rank[role] >= rank[needed];
}

async function fetchMe(): Promise<Me> {
  const [user, inboxes] = await Promise.all([unwrap(api.GET('/api/v1/auth/me')), unwrap(api.GET('/api/v1/inboxes'))]);
  const managedInboxIds = inboxes.filter((i) => i.myRole === 'manager' || i.myRole === 'admin').map((i) => i.id);
  const role: ConsoleRole = user.isAdmin ? 'admin' : managedInboxIds.length > 0 ? 'manager' : 'agent';
  return { user, inboxes, role, isAdmin: role === 'admin', isManager: role !== 'agent', managedInboxIds };
}

/** The current user (GET /api/v1/auth/me) and their inboxes with roles (GET /api/v1/inboxes). */
export function useMe() {
  const token = useSessionToken();
  return useQuery({ queryKey: ME_QUERY_KEY, queryFn: fetchMe, staleTime: 60_000, enabled: token !== null });
}
