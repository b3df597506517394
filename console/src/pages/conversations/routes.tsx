import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';

/** The routes of this area (children of the app shell); this folder's screens are added here. */
export const routes: RouteObject[] = [
  {
    path: 'conversations',
    element: lazyPage(() => import('./ConversationsPage')),
    children: [
      { index: true, element: lazyPage(() => import('./NoConversationSelected')) },
      { path: 'new', element: lazyPage(() => import('./NewConversationPage')) },
      { path: ':conversationId', element: lazyPage(() => import('./ConversationPage')) },
    ],
  },
];
