import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/** The routes of this area (children of the app shell): the inbox list and one inbox's settings by tab. */
export const routes: RouteObject[] = [
  { path: 'inboxes', element: lazyPage(() => import('./InboxListPage'), 'manager') },
  { path: 'inboxes/:inboxId', element: lazyPage(() => import('./InboxPage'), 'manager') },
  { path: 'inboxes/:inboxId/:tab', element: lazyPage(() => import('./InboxPage'), 'manager') },
];
