/**
 * The API in its own process for the benches (started by api-process.ts), so the memory of what a
 * request does is measured on the API alone, as `npm run start:api` runs it (plain node from the
 * tree compiled with tsc; ts-node and the bench's own work would add hundreds of MB). Config from
 * env through loadConfig, on a free port of 127.0.0.1.
 *
 * Talks to the parent over IPC: sends {type:'ready', base}; answers {type:'stats'} with
 * process.memoryUsage() and the highest heapUsed seen since the previous stats (sampled every 10 ms;
 * `reset` starts a new window, `gc` collects first). It stops when the parent goes away.
 */
import 'reflect-metadata';
import { createApiApp } from '../../src/app.factory';
import { loadConfig, requireServices } from '../../src/config/config';

export type BenchApiRequest = { type: 'stats'; id: number; gc?: boolean; reset?: boolean };
export type BenchApiReply = { type: 'ready'; base: string } | { type: 'stats'; id: number; memory: NodeJS.MemoryUsage; peakHeapUsed: number };

async function main(): Promise<void> {
  const config = requireServices(loadConfig());
  const app = await createApiApp(config);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  let peakHeapUsed = process.memoryUsage().heapUsed;
  setInterval(() => (peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed)), 10).unref();
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
  process.on('message', (msg: BenchApiRequest) => {
    if (msg.type !== 'stats') return;
    if (msg.gc) (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    const reply: BenchApiReply = { type: 'stats', id: msg.id, memory, peakHeapUsed: Math.max(peakHeapUsed, memory.heapUsed) };
    if (msg.reset) peakHeapUsed = memory.heapUsed;
    process.send!(reply);
  });
  process.send!({ type: 'ready', base } satisfies BenchApiReply);
}

main().catch((err) => {
  process.stderr.write(`bench API failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
