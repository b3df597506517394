import { ConfigError, loadConfig, requireServices } from '../../src/config/config';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

test('defaults describe the embedded local stack', () => {
  const c = loadConfig({});
  expect(c.port).toBe(3000);
  expect(c.database.url).toBeUndefined();
  expect(c.temporal.address).toBeUndefined();
  expect(c.temporal.uiUrl).toBe('http://127.0.0.1:8233');
  expect(c.dataDir.endsWith('.data')).toBe(true);
});

test.each([
  [{ PORT: 'abc' }, 'Configuration error: PORT must be an integer from 1 to 65535 (got "abc")'],
  [{ PORT: '70000' }, 'Configuration error: PORT must be an integer from 1 to 65535 (got "70000")'],
  [{ DATABASE_URL: 'mysql://x@y/z' }, 'Configuration error: DATABASE_URL must start with postgres:// or postgresql:// (got "mysql://x@y/z")'],
  [{ DATABASE_URL: 'not a url' }, 'Configuration error: DATABASE_URL must be a URL like postgres://user:password@host:5432/database (got "not a url")'],
  [{ TEMPORAL_ADDRESS: 'localhost' }, 'Configuration error: TEMPORAL_ADDRESS must be host:port, e.g. 127.0.0.1:7233 (got "localhost")'],
  [{ LOG_LEVEL: 'loud' }, 'Configuration error: LOG_LEVEL must be one of error, warn, log, debug, verbose (got "loud")'],
  [{ OUTBOUND_ALLOW_PRIVATE_TARGETS: 'yes' }, 'Configuration error: OUTBOUND_ALLOW_PRIVATE_TARGETS must be true or false (got "yes")'],
])('%j is refused with one line naming the variable', (env, message) => {
  const text = errorOf(() => loadConfig(env));
  expect(text).toBe(message);
  expect(text.split('\n')).toHaveLength(1);
});

test('a password in a bad DATABASE_URL never reaches the message', () => {
  const text = errorOf(() => loadConfig({ DATABASE_URL: 'mysql://admin:s3cret@db/x' }));
  expect(text).not.toContain('s3cret');
  expect(text).toContain('mysql://admin:***@db/x');
});

test('the API and the worker need both service addresses', () => {
  expect(errorOf(() => requireServices(loadConfig({})))).toMatch(/^Configuration error: DATABASE_URL is required/);
  expect(errorOf(() => requireServices(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/d' })))).toMatch(
    /^Configuration error: TEMPORAL_ADDRESS is required/,
  );
  const ok = requireServices(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/d', TEMPORAL_ADDRESS: 'h:7233' }));
  expect(ok.temporal.address).toBe('h:7233');
});

test.each([
  [undefined, false],
  ['false', false],
  ['true', true],
  ['2', 2],
  ['loopback', ['loopback']],
  ['loopback, 10.0.0.0/8, 203.0.113.7, fd00::/8', ['loopback', '10.0.0.0/8', '203.0.113.7', 'fd00::/8']],
])('TRUST_PROXY=%j is %j', (raw, value) => {
  expect(loadConfig(raw === undefined ? {} : { TRUST_PROXY: raw }).trustProxy).toEqual(value);
});

test.each(['0', '101', 'yes', 'loopback,10.0.0.0/33', '10.0.0/8', 'loopback,,10.0.0.1', 'fd00::/129', '10.0.0.0/8/8'])('TRUST_PROXY=%j is refused naming the variable', (raw) => {
  expect(errorOf(() => loadConfig({ TRUST_PROXY: raw }))).toMatch(/^Configuration error: TRUST_PROXY must be false, true, a hop count \(1-100\) or a comma-separated list of proxy addresses and subnets/);
});

test('SIGNUP_MAX_PER_HOUR defaults to 10 and must be a positive integer', () => {
  expect(loadConfig({}).auth.signUpMaxPerHour).toBe(10);
  expect(loadConfig({ SIGNUP_MAX_PER_HOUR: '500' }).auth.signUpMaxPerHour).toBe(500);
  expect(errorOf(() => loadConfig({ SIGNUP_MAX_PER_HOUR: '0' }))).toBe('Configuration error: SIGNUP_MAX_PER_HOUR must be an integer from 1 to 1000000 (got "0")');
});

test('pool size and the export and import limits have defaults and are validated', () => {
  const c = loadConfig({});
  expect(c.database.poolSize).toBe(10);
  expect(c.contacts).toEqual({
    exportMaxConcurrentPerAccount: 2,
    exportMaxConcurrent: 4,
    exportWriteTimeoutSeconds: 30,
    importMaxBytes: 5 * 1024 * 1024,
    importMaxRows: 5000,
  });
  expect(loadConfig({ DATABASE_POOL_SIZE: '25' }).database.poolSize).toBe(25);
  expect(errorOf(() => loadConfig({ DATABASE_POOL_SIZE: '0' }))).toBe('Configuration error: DATABASE_POOL_SIZE must be an integer from 1 to 500 (got "0")');
  expect(errorOf(() => loadConfig({ EXPORT_WRITE_TIMEOUT_SECONDS: '1.5' }))).toBe(
    'Configuration error: EXPORT_WRITE_TIMEOUT_SECONDS must be an integer from 1 to 3600 (got "1.5")',
  );
  expect(errorOf(() => loadConfig({ EXPORT_MAX_CONCURRENT: '3', EXPORT_MAX_CONCURRENT_PER_ACCOUNT: '5' }))).toBe(
    'Configuration error: EXPORT_MAX_CONCURRENT_PER_ACCOUNT must not exceed EXPORT_MAX_CONCURRENT (3) (got "5")',
  );
});

test('outbound connections to private targets are off unless OUTBOUND_ALLOW_PRIVATE_TARGETS is true', () => {
  expect(loadConfig({}).outbound.allowPrivateTargets).toBe(false);
  expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE_TARGETS: 'true' }).outbound.allowPrivateTargets).toBe(true);
  expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE_TARGETS: '1' }).outbound.allowPrivateTargets).toBe(true);
  expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE_TARGETS: 'false' }).outbound.allowPrivateTargets).toBe(false);
});
