import type { ReactNode } from 'react';
import { useMe, roleAtLeast, type ConsoleRole } from '../auth/useMe';
import { Loading } from '../components/Loading';
import { NoAccess } from '../components/NoAccess';

const NEEDS: Record<ConsoleRole, string> = {
  agent: 'a login',
  manager: 'the manager role in an inbox (or the account administrator role)',
  admin: 'the account administrator role',
};

/** Shows its children to users with at least the role; others get the 403 state. */
export function RequireRole({ needs, children }: { needs: ConsoleRole; children: ReactNode }) {
  const me = useMe();
  if (!me.data) return <Loading />;
  return roleAtLeast(me.data.role, needs) ? children : <NoAccess needs={NEEDS[needs]} />;
}
