import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/** The routes of this area (children of the app shell); this folder's screens are added here. */
export const routes: RouteObject[] = [
  { path: 'webhooks', element: lazyPage(() => import('./WebhooksPage'), 'admin') },
  { path: 'webhooks/:id', element: lazyPage(() => import('./WebhookEndpointPage'), 'admin') },
];
