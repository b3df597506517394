/**
 * Runs before every test file (jest `setupFiles`). jest gives each file a module registry of its own,
 * so each file loads the product's modules afresh, and with them new AsyncLocalStorage instances
 * (MikroORM's request, transaction and raw-query contexts, Temporal's connection and activity
 * contexts). Once used, an instance stays enabled after its file ended, and on Node 20 every async
 * operation of the process runs the propagation step of every enabled instance: with `maxWorkers: 1`
 * all files run in jest's own process, so the later a file ran, the slower it was (the authorization
 * matrix took 75 s alone and 294 s after 32 minutes of other files; 100 enabled instances make an
 * `await` about 30 times dearer).
 *
 * The product itself loads its modules once per process, so this is the test runner's problem only.
 * Before a file runs, the instances the earlier files used are disabled: their stacks were closed in
 * their afterAll. (A disabled instance that is used again enables itself again; only its current
 * values are gone.)
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const USED = Symbol.for('cx.test.usedAsyncStorages');
type Tracked = typeof AsyncLocalStorage & { [USED]?: Set<AsyncLocalStorage<unknown>> };

const storages = AsyncLocalStorage as Tracked;
const used = storages[USED];
if (used) {
  for (const storage of used) storage.disable();
  used.clear();
} else {
  // The class is Node's own, shared by every file's registry: patched once, in the first file.
  const seen = (storages[USED] = new Set<AsyncLocalStorage<unknown>>());
  const proto = AsyncLocalStorage.prototype as unknown as Record<'run' | 'enterWith', (this: AsyncLocalStorage<unknown>, ...args: unknown[]) => unknown>;
  for (const name of ['run', 'enterWith'] as const) {
    const original = proto[name];
    proto[name] = function (this: AsyncLocalStorage<unknown>, ...args: unknown[]) {
      seen.add(this);
      return original.apply(this, args);
    };
  }
}
