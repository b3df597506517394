/**
 * The console's API types (console/src/api/schema.d.ts) are generated from the OpenAPI document
 * and checked in. Here they are generated again, by the same script (`npm run generate:api`), from
 * the document the running API serves: any difference fails, naming the command that fixes it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { http, startTestStack, type TestStack } from '../support/test-stack';

const ROOT = resolve(__dirname, '../..');
const CHECKED_IN = join(ROOT, 'console/src/api/schema.d.ts');

let stack: TestStack;
let dir: string;
let doc: { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  doc = (await http<typeof doc>(stack, 'GET', '/api/docs-json')).body;
  dir = mkdtempSync(join(tmpdir(), 'console-api-'));
}, 60_000);

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** scripts/generate-console-api.ts --input <document> --output <file>, in a child process (openapi-typescript is ESM). */
function generate(document: unknown, name: string): Promise<string> {
  const input = join(dir, `${name}.json`);
  const output = join(dir, `${name}.d.ts`);
  writeFileSync(input, JSON.stringify(document));
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/generate-console-api.ts', '--input', input, '--output', output], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(readFileSync(output, 'utf8')) : fail(new Error(`generate-console-api failed (${code}):\n${log}`))));
  });
}

/** The first line where two texts differ, with its number, for a readable failure. */
function firstDifference(a: string, b: string): string | undefined {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: checked in ${JSON.stringify(x[i])}, live document ${JSON.stringify(y[i])}`;
  }
  return undefined;
}

test('schema.d.ts is what the live document generates (else: npm run generate:api)', async () => {
  const live = await generate(doc, 'live');
  const drift = firstDifference(readFileSync(CHECKED_IN, 'utf8'), live);
  if (drift) throw new Error(`console/src/api/schema.d.ts drifted from the API's OpenAPI document; run \`npm run generate:api\` and commit it.\n${drift}`);
}, 60_000);

test('a change of the document shows up as a difference', async () => {
  const changed = structuredClone(doc);
  changed.components.schemas.UserView.properties!.nickname = { type: 'string' };
  const out = await generate(changed, 'changed');
  expect(firstDifference(readFileSync(CHECKED_IN, 'utf8'), out)).toMatch(/nickname/);
}, 60_000);
