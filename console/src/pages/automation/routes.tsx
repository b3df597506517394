import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/** The routes of this area (children of the app shell); this folder's screens are added here. */
export const routes: RouteObject[] = [
  { path: 'automation', element: lazyPage(() => import('./AutomationPage'), 'manager') },
  { path: 'automation/new', element: lazyPage(() => import('./RuleEditorPage'), 'manager') },
  { path: 'automation/:id', element: lazyPage(() => import('./RuleEditorPage'), 'manager') },
];
