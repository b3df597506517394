/**
 * docker-compose.yml, read as compose reads it (YAML; js-yaml comes with @nestjs/swagger): admin-only
 * services are not reachable from other machines, the app services cannot start without SECRETS_KEY
 * (compose stops with the message of `${SECRETS_KEY:?...}`), and Temporal runs as the cluster profile
 * (`npm run cluster`, which the cluster tests run against) runs it: same release, shard count, dynamic
 * config, services and search attributes. No Docker engine runs in the tests; this checks the file,
 * not a running stack.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { DEFAULT_HISTORY_SHARDS } from '../../src/local-stack/temporal-cluster';
import { TEMPORAL_SERVER_VERSION } from '../../src/local-stack/temporal-server';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes';

interface Service {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  command?: string[];
}
/** YAML merge keys (`<<: *anchor`), resolved as compose resolves them: the mapping's own keys win. */
function mergeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mergeKeys);
  if (!value || typeof value !== 'object') return value;
  const { '<<': base, ...own } = value as Record<string, unknown>;
  const merged = Object.fromEntries(Object.entries(own).map(([k, v]) => [k, mergeKeys(v)]));
  return base ? { ...(mergeKeys(base) as object), ...merged } : merged;
}
const compose = mergeKeys(load(fs.readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'))) as { services: Record<string, Service> };
const services = compose.services;
const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'];

/** The host address a "host:container" or "ip:host:container" port is published on. */
const hostAddress = (port: string) => (port.split(':').length === 3 ? port.split(':')[0] : '0.0.0.0');

test('only the API (HTTP and the SMTP ingress) is published on all interfaces; the Temporal UI on loopback; PostgreSQL and Temporal not at all', () => {
  const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, address: hostAddress(p), port: p })));
  expect([...new Set(published.filter((p) => p.address !== '127.0.0.1').map((p) => p.name))]).toEqual(['api']);
  expect(services.api.ports).toEqual(['3000:3000', '${SMTP_INGRESS_PUBLISHED_PORT:-2525}:2525']);
  expect(services['temporal-ui'].ports).toEqual(['127.0.0.1:8080:8080']);
  expect(services.postgres.ports).toBeUndefined();
  for (const name of TEMPORAL_SERVICES) expect(services[`temporal-${name}`].ports).toBeUndefined();
});

test('the API, the worker and the migration require SECRETS_KEY from the environment, saying how to make one', () => {
  for (const name of ['api', 'worker', 'migrate']) {
    const value = services[name].environment?.SECRETS_KEY;
    expect(value).toMatch(/^\$\{SECRETS_KEY:\?[^}]*openssl rand -base64 32[^}]*\}$/);
  }
});

test("Temporal is the cluster profile's: the same release, four services, its shard count and its dynamic config", () => {
  const release = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
  for (const name of TEMPORAL_SERVICES) {
    const s = services[`temporal-${name}`];
    expect(s.image).toBe(`temporalio/server:${release}`);
    expect(s.environment?.SERVICES).toBe(name);
    expect(s.environment?.DB).toBe('postgres12');
    expect(s.environment?.NUM_HISTORY_SHARDS).toBe(`\${TEMPORAL_HISTORY_SHARDS:-${DEFAULT_HISTORY_SHARDS}}`);
    // The file the cluster profile copies into its config (src/local-stack/temporal-cluster.ts); the
    // image runs in /etc/temporal, where DYNAMIC_CONFIG_FILE_PATH is relative to.
    expect(s.volumes).toContain(`./docker/temporal-dynamicconfig.yaml:/etc/temporal/${s.environment?.DYNAMIC_CONFIG_FILE_PATH}:ro`);
  }
  expect(services['temporal-schema'].image).toBe(`temporalio/admin-tools:${release}`);
  expect(services['temporal-setup'].image).toBe(`temporalio/admin-tools:${release}`);
  expect(services.api.environment?.TEMPORAL_ADDRESS).toBe('temporal-frontend:7233');
  expect(services.worker.environment?.TEMPORAL_ADDRESS).toBe('temporal-frontend:7233');
});

test('the setup registers exactly the search attributes the workflows use, with their types', () => {
  const script = (services['temporal-setup'].command ?? []).join('\n');
  const listed = /for sa in ([^;]+); do/.exec(script)?.[1].trim().split(/\s+/) ?? [];
  const wanted = ALL_SEARCH_ATTRIBUTES.map((a) => `${a.name}=${a.type.charAt(0)}${a.type.slice(1).toLowerCase()}`);
  expect(listed.sort()).toEqual(wanted.sort());
});
