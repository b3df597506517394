/**
 * Typed configuration, read once from the environment and validated at boot.
 * A missing or malformed value stops start-up with one line naming the variable
 * and what is expected (see ConfigError).
 */
import * as path from 'node:path';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
    readonly got?: string,
  ) {
    super(
      `Configuration error: ${variable} ${expected}` +
        (got === undefined ? '' : ` (got ${JSON.stringify(got)})`),
    );
    this.name = 'ConfigError';
  }
}

export type LogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

export interface AppConfig {
  nodeEnv: string;
  host: string;
  port: number;
  /** Public base URL of the API, used in printed links. */
  publicUrl: string;
  logLevel: LogLevel;
  /** Folder for embedded PostgreSQL data and the Temporal SQLite file. */
  dataDir: string;
  database: {
    /** Undefined when the local stack should start an embedded PostgreSQL. */
    url?: string;
    embeddedPort: number;
  };
  auth: {
    loginMaxFailures: number;
    loginWindowSeconds: number;
    sessionTtlHours: number;
  };
  temporal: {
    /** Undefined when the local stack should start a Temporal dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    cliPath?: string;
    devServerPort: number;
    uiPort: number;
    /** Where ops find the Temporal UI (printed, linked from the console). */
    uiUrl?: string;
  };
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback?: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}`, raw);
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}`, raw);
  }
  return raw as T;
}

function postgresUrl(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL like postgres://user:password@host:5432/database', mask(raw));
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, 'must start with postgres:// or postgresql://', mask(raw));
  }
  if (!url.hostname || url.pathname.length < 2) {
    throw new ConfigError(name, 'must name a host and a database, e.g. postgres://user@host:5432/database', mask(raw));
  }
  return raw;
}

function hostPort(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(raw)) {
    throw new ConfigError(name, 'must be host:port, e.g. 127.0.0.1:7233', raw);
  }
  return raw;
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return raw.replace(/\/$/, '');
  } catch {
    /* fall through */
  }
  throw new ConfigError(name, 'must be an http(s) URL', raw);
}

/** Hides a password in a connection string before it reaches an error message. */
export function mask(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

export function loadConfig(env: Env = process.env): AppConfig {
  const host = str(env, 'HOST', '127.0.0.1')!;
  const port = int(env, 'PORT', 3000, 1, 65535);
  const devServerPort = int(env, 'TEMPORAL_DEV_PORT', 7233, 1, 65535);
  const uiPort = int(env, 'TEMPORAL_UI_PORT', 8233, 1, 65535);
  const address = hostPort(env, 'TEMPORAL_ADDRESS');
  const displayHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    nodeEnv: str(env, 'NODE_ENV', 'development')!,
    host,
    port,
    publicUrl: httpUrl(env, 'PUBLIC_URL') ?? `http://${displayHost}:${port}`,
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'log', 'debug', 'verbose'] as const, 'log'),
    dataDir: path.resolve(str(env, 'DATA_DIR', '.data')!),
    database: {
      url: postgresUrl(env, 'DATABASE_URL'),
      embeddedPort: int(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
    },
    auth: {
      loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
      loginWindowSeconds: int(env, 'LOGIN_WINDOW_SECONDS', 900, 1, 86400),
      sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 24 * 14, 1, 24 * 365),
    },
    temporal: {
      address,
      namespace: str(env, 'TEMPORAL_NAMESPACE', 'default')!,
      taskQueue: str(env, 'TEMPORAL_TASK_QUEUE', 'conversations')!,
      cliPath: str(env, 'TEMPORAL_CLI_PATH'),
      devServerPort,
      uiPort,
      uiUrl: httpUrl(env, 'TEMPORAL_UI_URL') ?? (address ? undefined : `http://127.0.0.1:${uiPort}`),
    },
  };
}

/** For the API and the worker: both connections must be configured (the local stack sets them). */
export function requireServices(config: AppConfig): AppConfig & {
  database: { url: string };
  temporal: { address: string };
} {
  if (!config.database.url) {
    throw new ConfigError(
      'DATABASE_URL',
      'is required for this process (a postgres:// URL); "npm start" starts an embedded PostgreSQL and sets it',
    );
  }
  if (!config.temporal.address) {
    throw new ConfigError(
      'TEMPORAL_ADDRESS',
      'is required for this process (host:port of a Temporal frontend); "npm start" starts a Temporal dev server and sets it',
    );
  }
  return config as AppConfig & { database: { url: string }; temporal: { address: string } };
}

export type ServiceConfig = ReturnType<typeof requireServices>;

/** Nest injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
