import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKER_MALLOC_ARENA_MAX, workerProcessEnv } from '../../src/local-stack/worker-process-env';

test('a worker process gets 2 malloc arenas unless its environment says otherwise', () => {
  expect(workerProcessEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', MALLOC_ARENA_MAX: '2' });
  expect(workerProcessEnv({ MALLOC_ARENA_MAX: '4' }).MALLOC_ARENA_MAX).toBe('4');
  expect(workerProcessEnv({ MALLOC_ARENA_MAX: '' }).MALLOC_ARENA_MAX).toBe(WORKER_MALLOC_ARENA_MAX);
});

test('npm run start:worker and the image start workers with it too', () => {
  const root = path.join(__dirname, '../..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts['start:worker']).toBe(`MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-${WORKER_MALLOC_ARENA_MAX}} node dist/src/worker/worker.js`);
  expect(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(new RegExp(`ENV [^\\n]*MALLOC_ARENA_MAX=${WORKER_MALLOC_ARENA_MAX}`));
});
