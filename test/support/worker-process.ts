/**
 * A test stack's worker as a separate OS process, so a test can kill it for real (SIGKILL by pid),
 * and so a workflow that brings its worker down cannot take the test runner with it. The process runs
 * test/support/worker-process.main.ts through ts-node with the stack's own configuration (same
 * database, Temporal address and task queue). ts-node transpiles with SWC
 * (worker-process.tsconfig.json): with TypeScript's own transpiler a restarted worker spent ~11 s of
 * CPU compiling the source tree before it polled (~3 s with SWC), which on a loaded machine made
 * timers that came due during a restart fire seconds late.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import type { ServiceConfig } from '../../src/config/config';
import { stopWithParent } from '../../src/local-stack/orphan-guard';
import { workerProcessEnv } from '../../src/local-stack/worker-process-env';

export interface WorkerProcess {
  pid: number;
  /** Resolves once the worker polls its task queue; rejects if the process exits first or takes longer than the timeout. */
  ready: Promise<void>;
  /** Sends `signal` to this process (by its pid) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: boolean;
  /** Once exited: the exit code or signal and the end of its stderr. */
  exitReason?: string;
}

const ROOT = path.join(__dirname, '../..');

export function spawnWorkerProcess(config: ServiceConfig, opts: { timeoutMs?: number } = {}): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register', path.join(__dirname, 'worker-process.main.ts')], {
    cwd: ROOT,
    env: workerProcessEnv({ ...process.env, TS_NODE_PROJECT: path.join(__dirname, 'worker-process.tsconfig.json'), CX_TEST_WORKER_CONFIG: JSON.stringify(config) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!child.pid) throw new Error('worker process did not start');
  stopWithParent(child.pid);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const handle: WorkerProcess = { pid: child.pid, exited: false, ready: Promise.resolve(), kill: async () => undefined };
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      handle.exited = true;
      handle.exitReason = `exit ${signal ?? code}: ${stderr.trim().slice(-1500)}`;
      resolve();
    }),
  );
  const timeoutMs = opts.timeoutMs ?? 60_000;
  handle.ready = new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`worker process ${child.pid}: not polling after ${timeoutMs} ms: ${stderr.trim().slice(-1000)}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.split('\n').includes('polling')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`worker process ${child.pid} exited before polling (${handle.exitReason})`));
    });
  });
  handle.ready.catch(() => undefined);
  handle.kill = async (signal = 'SIGKILL') => {
    if (!handle.exited) process.kill(child.pid!, signal);
    await exit;
  };
  return handle;
}
