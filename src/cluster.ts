/**
 * `npm run cluster`: the product as several processes on Temporal's real server (see
 * src/local-stack/cluster-stack.ts): PostgreSQL (DATABASE_URL or embedded, data in DATA_DIR/cluster),
 * Temporal's server on it (4 history shards; frontend, history, matching and worker as separate
 * processes), migrations, API_REPLICAS API processes on PORT, PORT+1, ... and WORKERS worker processes.
 * Ctrl-C stops the app processes, then Temporal, then PostgreSQL.
 */
import * as path from 'node:path';
import { AppConfig, ConfigError, loadConfig, mask } from './config/config';
import { type AppEntry, RunningClusterStack, startClusterStack } from './local-stack/cluster-stack';
import { DEFAULT_HISTORY_SHARDS } from './local-stack/temporal-cluster';

const say = (line: string) => console.log(`[cluster] ${line}`);

function count(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new ConfigError(name, `must be a whole number from 1 to ${max}`, raw);
  return n;
}

async function main(): Promise<void> {
  let config: AppConfig;
  let apiReplicas: number;
  let workers: number;
  let historyShards: number;
  try {
    config = loadConfig();
    apiReplicas = count(process.env, 'API_REPLICAS', 2, 32);
    workers = count(process.env, 'WORKERS', 2, 64);
    historyShards = count(process.env, 'TEMPORAL_HISTORY_SHARDS', DEFAULT_HISTORY_SHARDS, 16384);
    if (config.temporal.address) throw new ConfigError('TEMPORAL_ADDRESS', 'is for npm start; the cluster profile runs its own Temporal server (unset it)', config.temporal.address);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    process.exit(1);
  }
  const started = Date.now();
  let stack: RunningClusterStack | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping: API replicas and workers, then Temporal, then PostgreSQL');
    await stack?.stop();
    say('all stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

  const ext = path.extname(__filename);
  const nodeArgs = (entry: AppEntry) => [...process.execArgv, path.join(__dirname, entry + ext)];
  try {
    stack = await startClusterStack({
      config,
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      apiReplicas,
      workers,
      dataDir: path.join(config.dataDir, 'cluster'),
      temporal: { historyShards, frontendPort: config.temporal.devServerPort, portLayout: 'offsets' },
      nodeArgs,
      log: say,
      output: (name, line) => console.log(`[${name}] ${line}`),
      onUnexpectedExit: (name, code, signal) => {
        if (stopping) return;
        say(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the cluster`);
        void stop(1);
      },
    });
  } catch (err) {
    say(`start failed: ${(err as Error).message}`);
    await stop(1);
    return;
  }
  const t = stack.temporal;
  console.log('');
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const api of stack.apis) {
    say(`  ${api.name.padEnd(12)} ${api.url}/ (pid ${api.pid}${api.smtpIngressPort ? `, SMTP ingress ${api.smtpIngressPort}` : ''})`);
  }
  say(`  workers      ${stack.workers.map((w) => `${w.name} (pid ${w.pid})`).join(', ')}`);
  say(`  Temporal     ${t.address} (server ${t.server.version}, ${t.historyShards} history shards, namespace ${t.namespace}; ` +
    Object.entries(t.processes).map(([s, p]) => `${s} pid ${p.pid}`).join(', ') + ')');
  say(`  Temporal logs ${path.join(config.dataDir, 'cluster', 'temporal', 'logs')}`);
  say(`  PostgreSQL   ${mask(stack.databaseUrl)} (Temporal: databases temporal, temporal_visibility)`);
  say('Press Ctrl-C to stop everything.');
}

void main();
