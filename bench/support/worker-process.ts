/**
 * The parent's side of bench-worker.ts: starts the product's (or the no-op) Temporal worker as a
 * child process, so its memory and CPU are measured apart from the API and the load generator; asks
 * it for its memory and cache over IPC; stops it. By default the child runs on plain node from the
 * tree compiled with tsc into the bench's temporary folder, as `npm run start:worker` runs in
 * production (ts-node alone adds about 120 MB to its RSS); BENCH_WORKER_RUNTIME=ts-node skips the compile.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { stopWithParent } from '../../src/local-stack/orphan-guard';
import { workerProcessEnv } from '../../src/local-stack/worker-process-env';
import type { BenchWorkerReply, BenchWorkerRequest } from './bench-worker';
import { compileBenchTree } from './compile-tree';
import { round } from './distribution';
import { cpuProfileFlags, memoryOf } from './process-stats';
import { log } from './run';

const REPO = path.resolve(__dirname, '..', '..');
const COMPILED_ENTRY = path.join('bench', 'support', 'bench-worker.js');

type StatsReply = Extract<BenchWorkerReply, { type: 'stats' }>;

export type WorkerRuntime = 'node' | 'ts-node';

/** How the worker children run: `compiled` is the tree compiled for plain node, undefined for ts-node. */
export interface PreparedRuntime {
  compiled?: string;
  /** For the result document. */
  description: string;
}

/** Compiles the tree for plain node into `outDir` (node), or nothing (ts-node); falls back to ts-node when tsc produced no worker. */
export function prepareWorkerRuntime(runtime: WorkerRuntime, outDir: string): PreparedRuntime {
  const compiled = runtime === 'ts-node' ? undefined : compileBenchTree(outDir, COMPILED_ENTRY);
  const description = compiled ? 'node (tree compiled with tsc into a temporary folder)' : 'node -r ts-node/register/transpile-only';
  log(`worker runtime: ${description}`);
  return { compiled, description };
}


export class BenchWorker {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: StatsReply) => void>();
  private readonly exited: Promise<void>;
  private running = true;

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.running = false;
        resolve();
      }),
    );
    child.on('message', (msg: BenchWorkerReply) => {
      if (msg.type === 'stats') {
        this.waiting.get(msg.id)?.(msg);
        this.waiting.delete(msg.id);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.running;
  }

  /**
   * Starts bench-worker.ts with `env` (BENCH_WORKER_MODE and the service settings) and waits for it
   * to poll. BENCH_CPU_PROF_DIR: the worker writes a V8 CPU profile there when it exits.
   */
  static async start(label: string, env: NodeJS.ProcessEnv, runtime: PreparedRuntime): Promise<BenchWorker> {
    const profile = cpuProfileFlags();
    const argv = runtime.compiled
      ? ['--expose-gc', ...profile, path.join(runtime.compiled, COMPILED_ENTRY)]
      : ['--expose-gc', ...profile, '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'bench-worker.ts')];
    const child = spawn(process.execPath, argv, {
      // Compiled files live in a temporary folder: their packages come from this checkout.
      env: workerProcessEnv(runtime.compiled ? { ...env, NODE_PATH: path.join(REPO, 'node_modules') } : env),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    stopWithParent(child.pid);
    const prefix = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`[${label}] ${line}`);
    };
    child.stdout!.on('data', prefix);
    child.stderr!.on('data', prefix);
    const worker = new BenchWorker(label, child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label} worker did not start in 120 s`)), 120_000);
      child.on('message', (msg: BenchWorkerReply) => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${label} worker exited with ${code} before it was ready`));
      });
    });
    return worker;
  }

  /** The child's memory and its worker's status; `gc` runs a full garbage collection first. */
  stats(gc = false): Promise<StatsReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label} worker did not answer stats`)), 30_000);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.send({ type: 'stats', id, gc } satisfies BenchWorkerRequest);
    });
  }

  /** RSS from /proc, heap from the child, and its workflow cache. */
  async memory(gc = false) {
    const stats = await this.stats(gc);
    const proc = memoryOf(this.pid);
    return {
      rssMb: proc?.rssMb ?? null,
      peakRssMb: proc?.peakRssMb ?? null,
      heapUsedMb: round(stats.memory.heapUsed / 2 ** 20),
      heapTotalMb: round(stats.memory.heapTotal / 2 ** 20),
      externalMb: round(stats.memory.external / 2 ** 20),
      cachedWorkflows: stats.numCachedWorkflows,
      maxCachedWorkflows: stats.maxCachedWorkflows,
    };
  }

  /** Drains and exits; killed if it has not exited 20 s later. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.send({ type: 'stop' } satisfies BenchWorkerRequest);
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}
