/**
 * The environment a worker process is started with: MALLOC_ARENA_MAX=2 unless the caller set it.
 * glibc gives threads that allocate at once their own malloc arenas (up to 8 per core), and a worker's
 * threads (Temporal's core, V8, libuv) each keep theirs, half empty: with the same code and the same
 * workflow cache, bench:lifecycle measured the worker's RSS at 5,000 open conversations at 676 MB with
 * glibc's default and 441 MB with 2 arenas. glibc reads it when the process starts, so whoever starts
 * a worker sets it: `npm start`, `npm run cluster`, `npm run start:worker`, the Docker image, the
 * tests and benches.
 */
export const WORKER_MALLOC_ARENA_MAX = '2';

export function workerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX || WORKER_MALLOC_ARENA_MAX };
}
