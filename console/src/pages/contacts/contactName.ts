import type { Schemas } from '../../api/client';

/** A contact's display name: its name, else its email or phone. */
export function contactName(c: Pick<Schemas['ContactSummaryView'], 'name' | 'email' | 'phone'>): string {
  return c.name || c.email || c.phone || '(no name)';
}
