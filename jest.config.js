/** One jest run shares one PostgreSQL and one Temporal dev server (test/setup/global-setup.ts). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
  // One file at a time, but in a worker process that is replaced once it holds more than this after a
  // file (in the main process, as jest runs a single worker otherwise, what each file's stack leaves
  // behind adds up: 3.4 GB after the whole suite, and the late files ran up to 4x slower than alone).
  workerIdleMemoryLimit: '800MB',
};
