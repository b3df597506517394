import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/**
 * The routes of this area (children of the app shell). Not /webhooks: that prefix is the providers'
 * inbound webhooks (Twilio), which the server never answers with the console.
 */
export const routes: RouteObject[] = [
  { path: 'outgoing-webhooks', element: lazyPage(() => import('./WebhooksPage'), 'admin') },
  { path: 'outgoing-webhooks/:id', element: lazyPage(() => import('./WebhookEndpointPage'), 'admin') },
];
