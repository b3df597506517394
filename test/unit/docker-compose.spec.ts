/**
 * docker-compose.yml, read as compose reads it (YAML; js-yaml comes with @nestjs/swagger): admin-only
 * services are not reachable from other machines, and the app services cannot start without
 * SECRETS_KEY (compose stops with the message of `${SECRETS_KEY:?...}`). No Docker engine runs in
 * the tests; this checks the file, not a running stack.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { load } from 'js-yaml';

interface Service {
  ports?: string[];
  environment?: Record<string, string>;
}
const compose = load(fs.readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;

/** The host address a "host:container" or "ip:host:container" port is published on. */
const hostAddress = (port: string) => (port.split(':').length === 3 ? port.split(':')[0] : '0.0.0.0');

test('only the API (HTTP and the SMTP ingress) is published on all interfaces; the Temporal UI on loopback; PostgreSQL and the Temporal frontend not at all', () => {
  const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, address: hostAddress(p), port: p })));
  expect([...new Set(published.filter((p) => p.address !== '127.0.0.1').map((p) => p.name))]).toEqual(['api']);
  expect(services.api.ports).toEqual(['3000:3000', '${SMTP_INGRESS_PUBLISHED_PORT:-2525}:2525']);
  expect(services['temporal-ui'].ports).toEqual(['127.0.0.1:8080:8080']);
  expect(services.postgres.ports).toBeUndefined();
  expect(services.temporal.ports).toBeUndefined();
});

test('the API, the worker and the migration require SECRETS_KEY from the environment, saying how to make one', () => {
  for (const name of ['api', 'worker', 'migrate']) {
    const value = services[name].environment?.SECRETS_KEY;
    expect(value).toMatch(/^\$\{SECRETS_KEY:\?[^}]*openssl rand -base64 32[^}]*\}$/);
  }
});
