import { spawn } from 'node:child_process';

/**
 * Makes sure a server we started does not outlive us: a tiny shell watches this process and stops
 * the child (SIGTERM, then SIGKILL) as soon as we are gone, however we ended (crash, SIGKILL,
 * a test runner calling process.exit).
 */
export function stopWithParent(childPid: number | undefined): void {
  if (!childPid) return;
  const script =
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${childPid} 2>/dev/null; do sleep 1; done; ` +
    `if kill -0 ${childPid} 2>/dev/null; then kill -TERM ${childPid}; sleep 10; kill -KILL ${childPid} 2>/dev/null; fi`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}
