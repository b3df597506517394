import type { RouteObject } from 'react-router';
import { lazyPage } from '../../routing/lazyPage';
import NoConversationSelected from './NoConversationSelected';

const loadWorkspace = () => import('./ConversationsPage');
// `/` lands here: fetch the list's chunk while the session is being checked, not after.
if (/^\/(conversations(\/|$)|$)/.test(window.location.pathname)) void loadWorkspace();

/** The routes of this area (children of the app shell); this folder's screens are added here. */
export const routes: RouteObject[] = [
  {
    path: 'conversations',
    element: lazyPage(loadWorkspace),
    children: [
      { index: true, element: <NoConversationSelected /> },
      { path: 'new', element: lazyPage(() => import('./NewConversationPage')) },
      { path: ':conversationId', element: lazyPage(() => import('./ConversationPage')) },
    ],
  },
];
