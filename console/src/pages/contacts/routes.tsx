import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/** The routes of this area (children of the app shell); this folder's screens are added here. */
export const routes: RouteObject[] = [
  { path: 'contacts', element: lazyPage(() => import('./ContactListPage'), 'manager') },
  { path: 'contacts/attributes', element: lazyPage(() => import('./ContactAttributesPage'), 'admin') },
  { path: 'contacts/:id', element: lazyPage(() => import('./ContactDetailPage'), 'manager') },
];
