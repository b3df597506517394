import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122224043_initial } from './Migration20261122224043_initial';
import { Migration20261122231505_inbox_domain } from './Migration20261122231505_inbox_domain';

/** Every migration in order. Listed explicitly so ts (tests) and js (build) runs find the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122224043_initial', class: Migration20261122224043_initial },
  { name: 'Migration20261122231505_inbox_domain', class: Migration20261122231505_inbox_domain },
];
