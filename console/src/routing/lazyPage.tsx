import { lazy, Suspense, type ComponentType } from 'react';
import type { ConsoleRole } from '../auth/useMe';
import { Loading } from '../components/Loading';
import { RequireRole } from './RequireRole';

/**
 * A route element whose page is loaded on first visit (its own chunk, so the first screen stays
 * small), behind a role check when `needs` is given:
 *   { path: 'inboxes', element: lazyPage(() => import('./InboxesPage'), 'manager') }
 * The page module default-exports its component.
 */
export function lazyPage(load: () => Promise<{ default: ComponentType }>, needs?: ConsoleRole) {
  const Page = lazy(load);
  const page = (
    <Suspense fallback={<Loading />}>
      <Page />
    </Suspense>
  );
  return needs ? <RequireRole needs={needs}>{page}</RequireRole> : page;
}
