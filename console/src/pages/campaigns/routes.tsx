import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/** The routes of this area (children of the app shell); this folder's screens are added here. */
export const routes: RouteObject[] = [
  { path: 'campaigns', element: lazyPage(() => import('./CampaignsPage'), 'manager') },
  { path: 'campaigns/new', element: lazyPage(() => import('./CampaignFormPage'), 'manager') },
  { path: 'campaigns/:id', element: lazyPage(() => import('./CampaignDetailPage'), 'manager') },
  { path: 'campaigns/:id/edit', element: lazyPage(() => import('./CampaignFormPage'), 'manager') },
];
