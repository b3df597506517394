import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122224043_initial } from './Migration20261122224043_initial';

/** Every migration in order. Listed explicitly so ts (tests) and js (build) runs find the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122224043_initial', class: Migration20261122224043_initial },
];
