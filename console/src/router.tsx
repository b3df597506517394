/**
 * The console's routes. Each area of pages/ exports its own `routes` (pages/<area>/routes.tsx),
 * mounted here inside the app shell; its screens are loaded on first visit (lazyPage).
 */
import { createBrowserRouter, Navigate } from 'react-router';
import { LoginPage } from './auth/LoginPage';
import { SignUpPage } from './auth/SignUpPage';
import { EmptyState } from './components/EmptyState';
import { routes as account } from './pages/account/routes';
import { routes as automation } from './pages/automation/routes';
import { routes as campaigns } from './pages/campaigns/routes';
import { routes as contacts } from './pages/contacts/routes';
import { routes as conversations } from './pages/conversations/routes';
import { routes as inboxes } from './pages/inboxes/routes';
import { routes as reports } from './pages/reports/routes';
import { routes as savedReplies } from './pages/saved-replies/routes';
import { routes as teams } from './pages/teams/routes';
import { routes as timeline } from './pages/timeline/routes';
import { routes as users } from './pages/users/routes';
import { routes as webhooks } from './pages/webhooks/routes';
import { routes as crm } from './pages/crm/routes';
import { RequireAuth } from './routing/RequireAuth';
import { ShellLayout } from './shell/ShellLayout';

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  { path: '/signup', element: <SignUpPage /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <ShellLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <Navigate to="/conversations" replace /> },
      ...conversations,
      ...timeline,
      ...inboxes,
      ...contacts,
      ...savedReplies,
      ...automation,
      ...campaigns,
      ...reports,
      ...teams,
      ...users,
      ...webhooks,
      ...crm,
      ...account,
      { path: '*', element: <EmptyState title="Page not found">This address is not a page of the console. Pick a page in the navigation.</EmptyState> },
    ],
  },
]);
