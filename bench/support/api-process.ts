/**
 * The parent's side of bench-api.ts: compiles the tree for plain node into the bench's temporary
 * folder (as `npm run build` does for `npm run start:api`), starts the API as a child process, asks
 * it for its memory over IPC, and resets / reads its peak RSS through /proc (VmHWM, reset by writing
 * 5 to /proc/<pid>/clear_refs). BENCH_API_RUNTIME=ts-node skips the compile (RSS then includes ts-node);
 * BENCH_CPU_PROF_DIR=<dir>: the API writes a V8 CPU profile there when it exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopWithParent } from '../../src/local-stack/orphan-guard';
import type { BenchApiReply, BenchApiRequest } from './bench-api';
import { compileBenchTree } from './compile-tree';
import { round } from './distribution';
import { cpuProfileFlags, memoryOf } from './process-stats';
import { log } from './run';

const REPO = path.resolve(__dirname, '..', '..');
const COMPILED_ENTRY = path.join('bench', 'support', 'bench-api.js');

type StatsReply = Extract<BenchApiReply, { type: 'stats' }>;

export class BenchApi {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: StatsReply) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
    readonly runtime: string,
  ) {
    child.on('message', (msg: BenchApiReply) => {
      if (msg.type === 'stats') {
        this.waiting.get(msg.id)?.(msg);
        this.waiting.delete(msg.id);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Compiles (unless BENCH_API_RUNTIME=ts-node) and starts the API with `env`; waits until it listens. */
  static async start(env: NodeJS.ProcessEnv, outDir: string): Promise<BenchApi> {
    const compiled = process.env.BENCH_API_RUNTIME === 'ts-node' ? undefined : compileBenchTree(outDir, COMPILED_ENTRY);
    const runtime = compiled ? 'node (tree compiled with tsc into a temporary folder)' : 'node -r ts-node/register/transpile-only';
    log(`API runtime: ${runtime}`);
    const profile = cpuProfileFlags();
    const argv = compiled
      ? ['--expose-gc', ...profile, path.join(compiled, COMPILED_ENTRY)]
      : ['--expose-gc', ...profile, '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'bench-api.ts')];
    const child = spawn(process.execPath, argv, {
      env: compiled ? { ...env, NODE_PATH: path.join(REPO, 'node_modules') } : env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    stopWithParent(child.pid);
    const prefix = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`[api] ${line}`);
    };
    child.stdout!.on('data', prefix);
    child.stderr!.on('data', prefix);
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the API did not start in 120 s')), 120_000);
      child.on('message', (msg: BenchApiReply) => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          resolve(msg.base);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the API exited with ${code} before it was ready`));
      });
    });
    return new BenchApi(child, base, runtime);
  }

  private stats(opts: { gc?: boolean; reset?: boolean }): Promise<StatsReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the API did not answer stats')), 30_000);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.send({ type: 'stats', id, ...opts } satisfies BenchApiRequest);
    });
  }

  /** Collects garbage, starts a new peak window (heap in the child, VmHWM through clear_refs); answers the memory now. */
  async resetPeaks(): Promise<{ rssMb: number | null; heapUsedMb: number; peakResetExact: boolean }> {
    const stats = await this.stats({ gc: true, reset: true });
    let exact = true;
    try {
      fs.writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
    } catch {
      exact = false;
    }
    return { rssMb: memoryOf(this.pid)?.rssMb ?? null, heapUsedMb: round(stats.memory.heapUsed / 2 ** 20), peakResetExact: exact };
  }

  /** Peak RSS (VmHWM) and peak heapUsed since resetPeaks, and the memory now. */
  async peaks(): Promise<{ peakRssMb: number | null; rssMb: number | null; peakHeapUsedMb: number; heapUsedMb: number }> {
    const stats = await this.stats({});
    const proc = memoryOf(this.pid);
    return { peakRssMb: proc?.peakRssMb ?? null, rssMb: proc?.rssMb ?? null, peakHeapUsedMb: round(stats.peakHeapUsed / 2 ** 20), heapUsedMb: round(stats.memory.heapUsed / 2 ** 20) };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
