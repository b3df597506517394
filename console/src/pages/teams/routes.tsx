import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/** The routes of this area (children of the app shell); this folder's screens are added here. */
export const routes: RouteObject[] = [
  { path: 'teams', element: lazyPage(() => import('./TeamsPage'), 'admin') },
  { path: 'teams/:id', element: lazyPage(() => import('./TeamDetailPage'), 'admin') },
];
