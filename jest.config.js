/** One jest run shares one PostgreSQL and one Temporal dev server (test/setup/global-setup.ts). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // Before each file: the async contexts the earlier files used are released (see the file).
  setupFiles: ['<rootDir>/test/setup/release-async-storages.ts'],
  testTimeout: 60_000,
  maxWorkers: 1,
};
