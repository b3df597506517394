/**
 * `npm start`: the whole product on one machine.
 *   PostgreSQL  DATABASE_URL, or an embedded PostgreSQL with its data in .data/postgres
 *   Temporal    TEMPORAL_ADDRESS, or a local dev server persisted to .data/temporal/temporal.sqlite
 *   SECRETS_KEY (encrypts channel secrets), or a key generated once into .data/secrets.key (mode 0600)
 *   then migrations, the API (with the console page) and the worker as child processes.
 * Ctrl-C stops the API and the worker, then Temporal, then PostgreSQL; the next start reuses .data/.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { AppConfig, ConfigError, loadConfig, mask } from './config/config';
import { runMigrations } from './database/migrate';
import { RunningPostgres, startEmbeddedPostgres } from './local-stack/embedded-postgres';
import { localSecretsKey } from './local-stack/secrets-key';
import { RunningTemporal, startTemporalDevServer } from './local-stack/temporal-dev-server';
import { workerProcessEnv } from './local-stack/worker-process-env';

const say = (line: string) => console.log(`[dev] ${line}`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

class LocalStack {
  private postgres?: RunningPostgres;
  private temporal?: RunningTemporal;
  private children: Child[] = [];
  private stopping = false;

  constructor(private readonly config: AppConfig) {}

  async start(): Promise<void> {
    const started = Date.now();
    const databaseUrl = await this.startDatabase();

    const t = Date.now();
    const applied = await runMigrations(databaseUrl);
    say(`migrations: ${applied.length ? applied.join(', ') + ' applied' : 'up to date'} (${seconds(t)})`);

    const temporalAddress = await this.startTemporal();
    const uiUrl = this.config.temporal.uiUrl;

    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      SECRETS_KEY: this.secretsKey(),
      ...(uiUrl ? { TEMPORAL_UI_URL: uiUrl } : {}),
      // Nest's start-up chatter hides the URLs; LOG_LEVEL=log brings it back.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
    this.spawnNode('api', 'main', env);
    this.spawnNode('worker', 'worker/worker', workerProcessEnv(env));
    await this.waitForApi();

    const base = this.config.publicUrl;
    console.log('');
    say(`ready in ${seconds(started)}`);
    say(`  Console      ${base}/`);
    say(`  API docs     ${base}/api/docs`);
    say(`  Health       ${base}/health`);
    say(`  Temporal UI  ${uiUrl ?? '(external Temporal: set TEMPORAL_UI_URL to print it)'}`);
    const ingress = this.config.smtpIngress;
    say(
      `  SMTP ingress ${ingress.port === null ? 'off (SMTP_INGRESS_PORT=off)' : `smtp://${ingress.host}:${ingress.port === 0 ? '(a free port)' : ingress.port}`} for forwarding addresses *@${this.config.email.inboundDomain}`,
    );
    say(`  PostgreSQL   ${mask(databaseUrl)}`);
    say(`  Temporal     ${temporalAddress} (namespace ${this.config.temporal.namespace}, task queue ${this.config.temporal.taskQueue})`);
    say('Press Ctrl-C to stop everything.');
  }

  /** SECRETS_KEY when set; otherwise the key in <dataDir>/secrets.key, generated on the first start. */
  private secretsKey(): string {
    return localSecretsKey(this.config, say);
  }

  private async startDatabase(): Promise<string> {
    if (this.config.database.url) {
      say(`PostgreSQL: using DATABASE_URL ${mask(this.config.database.url)}`);
      return this.config.database.url;
    }
    const t = Date.now();
    const dataDir = path.join(this.config.dataDir, 'postgres');
    say(`PostgreSQL: starting the embedded server (data in ${dataDir}, port ${this.config.database.embeddedPort})`);
    this.postgres = await startEmbeddedPostgres({
      dataDir,
      port: this.config.database.embeddedPort,
      database: 'cx',
      persistent: true,
      log: (line) => {
        if (/initialising|PostgreSQL binaries|system user|cannot reach|FATAL|ERROR|PANIC/.test(line)) say(`  ${line}`);
      },
    });
    say(`PostgreSQL: ready (${seconds(t)})`);
    return this.postgres.url;
  }

  private async startTemporal(): Promise<string> {
    if (this.config.temporal.address) {
      say(`Temporal: using TEMPORAL_ADDRESS ${this.config.temporal.address}`);
      return this.config.temporal.address;
    }
    const t = Date.now();
    const dbFile = path.join(this.config.dataDir, 'temporal', 'temporal.sqlite');
    say(`Temporal: starting a local dev server (state in ${dbFile}, port ${this.config.temporal.devServerPort})`);
    this.temporal = await startTemporalDevServer({
      port: this.config.temporal.devServerPort,
      uiPort: this.config.temporal.uiPort,
      dbFile,
      namespace: this.config.temporal.namespace,
      cliPath: this.config.temporal.cliPath,
      log: (line) => {
        if (!this.stopping && (!line.startsWith('[temporal]') || /level=(ERROR|FATAL)/.test(line))) say(`  ${line}`);
      },
    });
    say(`Temporal: ready (${seconds(t)}; CLI from ${this.temporal.cli.source})`);
    return this.temporal.address;
  }

  private spawnNode(name: string, entry: string, env: NodeJS.ProcessEnv): void {
    const file = path.join(__dirname, entry + path.extname(__filename));
    const child = spawn(process.execPath, [...process.execArgv, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter((l) => l.trim())
        .forEach((l) => console.log(`[${name}] ${l}`));
    child.stdout!.on('data', prefix);
    child.stderr!.on('data', prefix);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    this.children.push({ name, process: child, exited });
    void exited.then((code) => {
      if (!this.stopping) {
        say(`${name} exited unexpectedly (code ${code}); stopping the stack`);
        void this.stop(1);
      }
    });
  }

  private async waitForApi(): Promise<void> {
    const url = `http://127.0.0.1:${this.config.port}/health`;
    const deadline = Date.now() + 90_000;
    let last = '';
    while (Date.now() < deadline && !this.stopping) {
      try {
        const res = await fetch(url);
        if (res.ok) return;
        last = `${res.status} ${await res.text()}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    if (!this.stopping) throw new Error(`the API did not become healthy at ${url}: ${last}`);
  }

  async stop(code = 0): Promise<never> {
    if (this.stopping) return new Promise<never>(() => undefined);
    this.stopping = true;
    say('stopping: API and worker, then Temporal, then PostgreSQL');
    await Promise.all(
      this.children.map(async (c) => {
        if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGTERM');
        const timer = setTimeout(() => c.process.kill('SIGKILL'), 20_000);
        await c.exited;
        clearTimeout(timer);
      }),
    );
    if (this.temporal) {
      await this.temporal.stop().catch((err) => say(`Temporal stop: ${(err as Error).message}`));
      say('Temporal stopped');
    }
    if (this.postgres) {
      await this.postgres.stop().catch((err) => say(`PostgreSQL stop: ${(err as Error).message}`));
      say('PostgreSQL stopped');
    }
    say('all stopped');
    process.exit(code);
  }
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    process.exit(1);
  }
  const stack = new LocalStack(config);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stack.stop(0));
  try {
    await stack.start();
  } catch (err) {
    say(`start failed: ${(err as Error).message}`);
    await stack.stop(1);
  }
}

void main();
