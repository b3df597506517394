import type { ConsoleRole } from '../auth/useMe';

export interface NavEntry {
  label: string;
  /** The route of the area (pages/<area>/routes.tsx). */
  to: string;
  /** The least role that sees the entry; the route checks the same (lazyPage's `needs`). */
  needs: ConsoleRole;
}

export interface NavSection {
  label: string;
  entries: NavEntry[];
}

/** The navbar, by section; entries the user's role does not allow are not shown. */
export const NAV: NavSection[] = [
  { label: 'Work', entries: [{ label: 'Conversations', to: '/conversations', needs: 'agent' }] },
  {
    label: 'Manage',
    entries: [
      { label: 'Inboxes', to: '/inboxes', needs: 'manager' },
      { label: 'Contacts', to: '/contacts', needs: 'manager' },
      { label: 'Saved replies', to: '/saved-replies', needs: 'manager' },
      { label: 'Automation', to: '/automation', needs: 'manager' },
      { label: 'Campaigns', to: '/campaigns', needs: 'manager' },
      { label: 'Reports', to: '/reports', needs: 'manager' },
    ],
  },
  {
    label: 'Account',
    entries: [
      { label: 'Teams', to: '/teams', needs: 'admin' },
      { label: 'Users', to: '/users', needs: 'admin' },
      { label: 'Webhooks', to: '/outgoing-webhooks', needs: 'admin' },
      { label: 'CRM', to: '/crm-connectors', needs: 'admin' },
      { label: 'Account settings', to: '/account', needs: 'admin' },
    ],
  },
];
