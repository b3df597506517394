import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/** The routes of this area (children of the app shell). */
export const routes: RouteObject[] = [
  { path: 'crm-connectors', element: lazyPage(() => import('./CrmConnectorsPage'), 'admin') },
  { path: 'crm-connectors/:id', element: lazyPage(() => import('./CrmConnectorPage'), 'admin') },
];
