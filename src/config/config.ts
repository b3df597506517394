/**
 * Typed configuration, read once from the environment and validated at boot.
 * A missing or malformed value stops start-up with one line naming the variable
 * and what is expected (see ConfigError).
 */
import { isIP } from 'node:net';
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

/**
 * Express's `trust proxy` (TRUST_PROXY): false (default: the socket address is the client), true
 * (every proxy; the left-most X-Forwarded-For entry is the client), a hop count, or the proxies'
 * addresses and subnets (`loopback`, `linklocal`, `uniquelocal`, IPs, CIDRs).
 */
export type TrustProxySetting = boolean | number | string[];

export interface AppConfig {
  nodeEnv: string;
  host: string;
  port: number;
  /** Public base URL of the API, used in printed links. */
  publicUrl: string;
  logLevel: LogLevel;
  /** Which proxies' X-Forwarded-For gives the client address (login and sign-up limits are per client). */
  trustProxy: TrustProxySetting;
  /** Folder for embedded PostgreSQL data and the Temporal SQLite file. */
  dataDir: string;
  database: {
    /** Undefined when the local stack should start an embedded PostgreSQL. */
    url?: string;
    embeddedPort: number;
    /** Connections per process (API and worker each have their own pool) (DATABASE_POOL_SIZE). */
    poolSize: number;
  };
  auth: {
    loginMaxFailures: number;
    loginWindowSeconds: number;
    sessionTtlHours: number;
    /** Sign-ups (successful or not) one client address may make per hour (SIGNUP_MAX_PER_HOUR). */
    signUpMaxPerHour: number;
    /** Users one account may try to create per hour (USER_CREATE_MAX_PER_HOUR): e-mails are unique installation-wide, so each refusal is a probe. */
    userCreateMaxPerHour: number;
  };
  lifecycle: {
    /** An online agent whose last heartbeat is older than this has lost their session. */
    heartbeatTimeoutSeconds: number;
    /** Lowest auto-unassign grace an inbox may set (the product allows 30-600 s; tests lower it). */
    minGraceSeconds: number;
    /** No out-of-office reply when an agent answered the conversation within this many seconds. */
    outOfOfficeQuietAfterAgentReplySeconds: number;
    /** A CSAT rating can be given or changed for this many days after the survey went out. */
    csatEditWindowDays: number;
  };
  automation: {
    /** Shortest span a time-based rule may wait (AUTOMATION_MIN_DURATION_SECONDS; 60 in production, tests lower it). */
    minDurationSeconds: number;
    /** Events caused by rules trigger further (chaining) rules this deep at most (AUTOMATION_MAX_CHAIN_DEPTH). */
    maxChainDepth: number;
    /** Rule firings one conversation may have per hour before the guard stops them (AUTOMATION_MAX_FIRINGS_PER_HOUR). */
    maxFiringsPerHour: number;
    /** What-if replays at most this many recorded conversations per request (AUTOMATION_WHAT_IF_MAX_CONVERSATIONS). */
    whatIfMaxConversations: number;
    /** What-if stops replaying after this long and answers what it has, marked truncated (AUTOMATION_WHAT_IF_TIME_BUDGET_SECONDS). */
    whatIfTimeBudgetSeconds: number;
  };
  /**
   * AES-256 key (base64 of 32 bytes) that encrypts channel secrets at rest (SECRETS_KEY). Without it the
   * product runs, but storing a channel secret (e.g. a Twilio auth token) is refused with a clear error.
   */
  secretsKey?: string;
  twilio: {
    /** Tests only: send Twilio REST calls to this base instead of https://api.twilio.com (TWILIO_API_BASE_URL). */
    apiBaseUrl?: string;
    /** Per-request timeout of Twilio REST calls; a timeout counts as a transient failure. */
    timeoutMs: number;
  };
  email: {
    /** Email attachments above this size are dropped (the message is kept with a note naming them). */
    maxAttachmentBytes: number;
    /** One mailbox activity holds its IMAP session this long, then the mailbox workflow starts the next one. */
    sessionSeconds: number;
    /** Reconnect backoff after the IMAP server dropped or refused the connection: 1 s doubling up to this. */
    reconnectMaxSeconds: number;
    /** How often a mailbox session checks its settings in Postgres (disabled, changed, deleted) and heartbeats. */
    checkIntervalMs: number;
    /** TCP/TLS connect and greeting budget for IMAP and SMTP, and for the test-connection steps. */
    connectTimeoutMs: number;
    /** The domain of the forwarding addresses `<random>@<domain>` (INBOUND_EMAIL_DOMAIN); its MX points at the SMTP ingress. */
    inboundDomain: string;
  };
  /**
   * The product's own SMTP ingress (in the API process): takes mail for the forwarding addresses only.
   * `port` null: off (SMTP_INGRESS_PORT=off); 0: a free port chosen at start (tests).
   */
  smtpIngress: {
    host: string;
    port: number | null;
    /** Largest mail accepted, in bytes (SMTP_INGRESS_MAX_BYTES); larger ones are refused with 552. */
    maxBytes: number;
  };
  contacts: {
    /** Contact exports one account may run at once in this API process (EXPORT_MAX_CONCURRENT_PER_ACCOUNT). */
    exportMaxConcurrentPerAccount: number;
    /** Contact exports this API process runs at once, all accounts together (EXPORT_MAX_CONCURRENT). */
    exportMaxConcurrent: number;
    /** An export whose client takes no data for this long is disconnected (EXPORT_WRITE_TIMEOUT_SECONDS). */
    exportWriteTimeoutSeconds: number;
    /** Largest CSV body POST /contacts/import takes (CONTACT_IMPORT_MAX_BYTES). */
    importMaxBytes: number;
    /** Most data rows one import takes (CONTACT_IMPORT_MAX_ROWS). */
    importMaxRows: number;
  };
  outbound: {
    /**
     * OUTBOUND_ALLOW_PRIVATE_TARGETS: tenant-chosen hosts (mail servers, later webhooks and CRMs) may be
     * loopback, private, link-local, CGNAT or IPv6 unique-local addresses. Off by default: such targets
     * would let a tenant probe the operator's own network (see src/common/outbound-address.ts).
     */
    allowPrivateTargets: boolean;
  };
  mms: {
    /** MMS_MAX_BYTES: the media of one outbound MMS together at most (Twilio takes 5 MB). */
    maxBytes: number;
    /** MMS_MEDIA_CHECK_TIMEOUT_MS: how long the check of one media URL (a HEAD request) may take. */
    checkTimeoutMs: number;
  };
  campaigns: {
    /** Recipients a campaign run reads per page of its audience (CAMPAIGN_PAGE_SIZE). */
    pageSize: number;
    /**
     * A campaign-run workflow continues as new at the first page boundary after its history reached
     * this many events (or when Temporal suggests it): long audiences never approach history limits,
     * and runs are not so short that the server delays the next one (CAMPAIGN_RUN_HISTORY_EVENTS).
     */
    runHistoryEvents: number;
  };
  liveEvents: {
    /** Events are kept this long for reconnecting clients (LIVE_EVENTS_RETENTION_HOURS). */
    retentionHours: number;
    /** A reconnect replays at most this many missed events; more, or older than the retention: a `reset` event (LIVE_EVENTS_REPLAY_MAX). */
    replayMax: number;
    /** A comment line (and the current position as the event id) this often on every stream (LIVE_EVENTS_HEARTBEAT_SECONDS). */
    heartbeatSeconds: number;
    /** A stream whose unsent data grows beyond this many bytes is dropped (a client that does not read) (LIVE_EVENTS_MAX_BUFFER_BYTES). */
    maxBufferBytes: number;
    /** Open streams per API process, per account and per user in one process; beyond: 429 (LIVE_EVENTS_MAX_STREAMS, _PER_ACCOUNT, _PER_USER). */
    maxStreams: number;
    maxStreamsPerAccount: number;
    maxStreamsPerUser: number;
    /** Each stream re-reads its caller's access (token, role, inbox memberships) at least this often (LIVE_EVENTS_ACCESS_RECHECK_SECONDS). */
    accessRecheckSeconds: number;
    /** At most one campaign.progress event per campaign this often (LIVE_EVENTS_CAMPAIGN_PROGRESS_MS). */
    campaignProgressMs: number;
    /** A stream ticket (POST /api/v1/events/ticket) opens a stream within this many seconds, once (LIVE_EVENTS_TICKET_TTL_SECONDS). */
    ticketTtlSeconds: number;
  };
  webhooks: {
    /** Multiplies every delay of the retry schedule (WEBHOOK_RETRY_SCALE; 1 in production, tests use e.g. 0.001). */
    retryScale: number;
    /** One attempt's budget: connect, send, answer (WEBHOOK_TIMEOUT_MS). */
    timeoutMs: number;
    /** An endpoint whose attempts failed for this long without a success is disabled (WEBHOOK_DISABLE_AFTER_FAILING_SECONDS; 5 days). */
    disableAfterFailingSeconds: number;
    /** The start of each answer's body kept in the delivery log (WEBHOOK_RESPONSE_EXCERPT_BYTES). */
    responseExcerptBytes: number;
    /** Default overlap during which the previous secret still signs after a rotation (WEBHOOK_ROTATION_OVERLAP_SECONDS). */
    rotationOverlapSeconds: number;
    /** Requests one endpoint's delivery activity has in flight at once, across conversations (WEBHOOK_CONCURRENCY). */
    concurrency: number;
    /** The worker's dispatcher wakes endpoints with deliveries overdue by this much (a lost notification) (WEBHOOK_SWEEP_SECONDS). */
    sweepSeconds: number;
  };
  ai: {
    /** Without a key the AI agent hands every conversation to humans (and says so in the timeline). */
    apiKey?: string;
    baseUrl?: string;
    model: string;
    timeoutMs: number;
  };
  temporal: {
    /** Undefined when the local stack should start a Temporal dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    /** The task queue of campaign-run workflows and their activities (a second Worker in the worker process). */
    campaignTaskQueue: string;
    /** The task queue of webhook delivery workflows and their activities (TEMPORAL_WEBHOOK_TASK_QUEUE). */
    webhookTaskQueue: string;
    cliPath?: string;
    /**
     * How long a workflow task waits for the worker that ran the workflow last (sticky queue)
     * before any worker may take it. Short, so a killed worker delays timers by about this much.
     */
    stickyTimeoutMs: number;
    /**
     * A folder with prebuilt workflow bundles (workflow-bundle.<queue>.js, as writeWorkflowBundles
     * writes them): the worker loads them instead of bundling at start. The cluster profile bundles
     * once for all its workers.
     */
    workflowBundleDir?: string;
    /**
     * The worker process's memory budget (WORKER_MEMORY_BUDGET_MB): its workflow caches are sized so
     * that the process stays within it (src/worker/workflow-cache.ts). A workflow pushed out of the
     * cache is replayed from its history on its next task (slower, never wrong).
     */
    workerMemoryBudgetMb: number;
    /** Overrides the derived size of the conversations queue's workflow cache (WORKER_MAX_CACHED_WORKFLOWS). */
    maxCachedWorkflows?: number;
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

/** A number above 0 and at most 1 (a scale factor). */
function fraction(env: Env, name: string, fallback: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(raw) || !(value > 0 && value <= 1)) throw new ConfigError(name, 'must be a number above 0 and at most 1', raw);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, 'must be true or false', raw);
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

/** SMTP_INGRESS_PORT: a port (default 2525), 0 for a free one, or `off` (null). */
function ingressPort(env: Env, name: string): number | null {
  const raw = str(env, name);
  if (raw === undefined) return 2525;
  if (raw.toLowerCase() === 'off') return null;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new ConfigError(name, 'must be a port (1-65535), 0 for a free port, or off', raw);
  return Number(raw);
}

/** A mail domain (lower-cased, no trailing dot): labels of letters, digits and hyphens. */
function mailDomain(env: Env, name: string, fallback: string): string {
  const raw = str(env, name, fallback)!.toLowerCase().replace(/\.$/, '');
  if (!/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(raw)) {
    throw new ConfigError(name, 'must be a mail domain such as inbound.example.com', raw);
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

function base64Key(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 32) {
    throw new ConfigError(name, 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)', `${raw.length} characters, ${bytes.length} bytes decoded`);
  }
  return raw;
}

const TRUST_PROXY_EXPECTED =
  'must be false, true, a hop count (1-100) or a comma-separated list of proxy addresses and subnets ' +
  '(loopback, linklocal, uniquelocal, an IP address or a CIDR such as 10.0.0.0/8)';

function trustProxy(env: Env, name: string): TrustProxySetting {
  const raw = str(env, name);
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(raw)) {
    if (Number(raw) < 1 || Number(raw) > 100) throw new ConfigError(name, TRUST_PROXY_EXPECTED, raw);
    return Number(raw);
  }
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    if (!isTrustedProxyEntry(entry)) throw new ConfigError(name, TRUST_PROXY_EXPECTED, entry);
  }
  return entries;
}

/** The forms Express (proxy-addr) accepts for one trusted proxy: a subnet name, an address, address/prefix. */
function isTrustedProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
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
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    dataDir: path.resolve(str(env, 'DATA_DIR', '.data')!),
    database: {
      url: postgresUrl(env, 'DATABASE_URL'),
      embeddedPort: int(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
      poolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    },
    auth: {
      loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
      loginWindowSeconds: int(env, 'LOGIN_WINDOW_SECONDS', 900, 1, 86400),
      sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 24 * 14, 1, 24 * 365),
      signUpMaxPerHour: int(env, 'SIGNUP_MAX_PER_HOUR', 10, 1, 1_000_000),
      userCreateMaxPerHour: int(env, 'USER_CREATE_MAX_PER_HOUR', 100, 1, 1_000_000),
    },
    lifecycle: {
      heartbeatTimeoutSeconds: int(env, 'PRESENCE_HEARTBEAT_TIMEOUT_SECONDS', 90, 1, 86400),
      minGraceSeconds: int(env, 'AUTO_UNASSIGN_MIN_GRACE_SECONDS', 30, 1, 600),
      outOfOfficeQuietAfterAgentReplySeconds: int(env, 'OUT_OF_OFFICE_QUIET_AFTER_AGENT_REPLY_SECONDS', 300, 0, 86400),
      csatEditWindowDays: int(env, 'CSAT_EDIT_WINDOW_DAYS', 14, 1, 365),
    },
    automation: {
      minDurationSeconds: int(env, 'AUTOMATION_MIN_DURATION_SECONDS', 60, 1, 86400),
      maxChainDepth: int(env, 'AUTOMATION_MAX_CHAIN_DEPTH', 5, 1, 50),
      maxFiringsPerHour: int(env, 'AUTOMATION_MAX_FIRINGS_PER_HOUR', 100, 1, 100000),
      whatIfMaxConversations: int(env, 'AUTOMATION_WHAT_IF_MAX_CONVERSATIONS', 10000, 1, 100000),
      whatIfTimeBudgetSeconds: int(env, 'AUTOMATION_WHAT_IF_TIME_BUDGET_SECONDS', 30, 1, 600),
    },
    secretsKey: base64Key(env, 'SECRETS_KEY'),
    twilio: {
      apiBaseUrl: httpUrl(env, 'TWILIO_API_BASE_URL'),
      timeoutMs: int(env, 'TWILIO_TIMEOUT_MS', 15000, 100, 600000),
    },
    email: {
      maxAttachmentBytes: int(env, 'EMAIL_MAX_ATTACHMENT_BYTES', 25 * 1024 * 1024, 1, 1024 * 1024 * 1024),
      sessionSeconds: int(env, 'EMAIL_MAILBOX_SESSION_SECONDS', 600, 5, 86400),
      reconnectMaxSeconds: int(env, 'EMAIL_RECONNECT_MAX_SECONDS', 60, 1, 3600),
      checkIntervalMs: int(env, 'EMAIL_MAILBOX_CHECK_MS', 2000, 100, 60000),
      connectTimeoutMs: int(env, 'EMAIL_CONNECT_TIMEOUT_MS', 10000, 100, 120000),
      inboundDomain: mailDomain(env, 'INBOUND_EMAIL_DOMAIN', 'inbound.localhost'),
    },
    smtpIngress: {
      host: str(env, 'SMTP_INGRESS_HOST', host)!,
      port: ingressPort(env, 'SMTP_INGRESS_PORT'),
      maxBytes: int(env, 'SMTP_INGRESS_MAX_BYTES', 35 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    },
    contacts: contactSettings(env),
    outbound: {
      allowPrivateTargets: bool(env, 'OUTBOUND_ALLOW_PRIVATE_TARGETS', false),
    },
    mms: {
      maxBytes: int(env, 'MMS_MAX_BYTES', 5 * 1024 * 1024, 1024, 5 * 1024 * 1024),
      checkTimeoutMs: int(env, 'MMS_MEDIA_CHECK_TIMEOUT_MS', 5000, 100, 60000),
    },
    campaigns: {
      pageSize: int(env, 'CAMPAIGN_PAGE_SIZE', 1000, 10, 10000),
      runHistoryEvents: int(env, 'CAMPAIGN_RUN_HISTORY_EVENTS', 500, 20, 20000),
    },
    liveEvents: liveEventSettings(env),
    webhooks: {
      retryScale: fraction(env, 'WEBHOOK_RETRY_SCALE', 1),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 15000, 100, 120000),
      disableAfterFailingSeconds: int(env, 'WEBHOOK_DISABLE_AFTER_FAILING_SECONDS', 5 * 86400, 1, 365 * 86400),
      responseExcerptBytes: int(env, 'WEBHOOK_RESPONSE_EXCERPT_BYTES', 1024, 0, 65536),
      rotationOverlapSeconds: int(env, 'WEBHOOK_ROTATION_OVERLAP_SECONDS', 86400, 0, 7 * 86400),
      concurrency: int(env, 'WEBHOOK_CONCURRENCY', 16, 1, 256),
      sweepSeconds: int(env, 'WEBHOOK_SWEEP_SECONDS', 30, 1, 3600),
    },
    ai: {
      apiKey: str(env, 'OPENAI_API_KEY'),
      baseUrl: httpUrl(env, 'OPENAI_BASE_URL'),
      model: str(env, 'OPENAI_MODEL', 'gpt-4o-mini')!,
      timeoutMs: int(env, 'OPENAI_TIMEOUT_MS', 20000, 100, 600000),
    },
    temporal: {
      address,
      namespace: str(env, 'TEMPORAL_NAMESPACE', 'default')!,
      taskQueue: str(env, 'TEMPORAL_TASK_QUEUE', 'conversations')!,
      campaignTaskQueue: str(env, 'TEMPORAL_CAMPAIGN_TASK_QUEUE', 'campaigns')!,
      webhookTaskQueue: str(env, 'TEMPORAL_WEBHOOK_TASK_QUEUE', 'webhooks')!,
      cliPath: str(env, 'TEMPORAL_CLI_PATH'),
      stickyTimeoutMs: int(env, 'TEMPORAL_STICKY_TIMEOUT_MS', 500, 100, 60000),
      workflowBundleDir: str(env, 'TEMPORAL_WORKFLOW_BUNDLE_DIR'),
      workerMemoryBudgetMb: int(env, 'WORKER_MEMORY_BUDGET_MB', 480, 128, 1048576),
      maxCachedWorkflows: str(env, 'WORKER_MAX_CACHED_WORKFLOWS') === undefined ? undefined : int(env, 'WORKER_MAX_CACHED_WORKFLOWS', 0, 0, 1000000),
      devServerPort,
      uiPort,
      uiUrl: httpUrl(env, 'TEMPORAL_UI_URL') ?? (address ? undefined : `http://127.0.0.1:${uiPort}`),
    },
  };
}

function contactSettings(env: Env): AppConfig['contacts'] {
  const exportMaxConcurrent = int(env, 'EXPORT_MAX_CONCURRENT', 4, 1, 1000);
  const exportMaxConcurrentPerAccount = int(env, 'EXPORT_MAX_CONCURRENT_PER_ACCOUNT', 2, 1, 1000);
  if (exportMaxConcurrentPerAccount > exportMaxConcurrent) {
    throw new ConfigError(
      'EXPORT_MAX_CONCURRENT_PER_ACCOUNT',
      `must not exceed EXPORT_MAX_CONCURRENT (${exportMaxConcurrent})`,
      String(exportMaxConcurrentPerAccount),
    );
  }
  return {
    exportMaxConcurrent,
    exportMaxConcurrentPerAccount,
    exportWriteTimeoutSeconds: int(env, 'EXPORT_WRITE_TIMEOUT_SECONDS', 30, 1, 3600),
    importMaxBytes: int(env, 'CONTACT_IMPORT_MAX_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    importMaxRows: int(env, 'CONTACT_IMPORT_MAX_ROWS', 5000, 1, 1_000_000),
  };
}

function liveEventSettings(env: Env): AppConfig['liveEvents'] {
  const maxStreams = int(env, 'LIVE_EVENTS_MAX_STREAMS', 10000, 1, 1_000_000);
  const maxStreamsPerAccount = int(env, 'LIVE_EVENTS_MAX_STREAMS_PER_ACCOUNT', 1000, 1, 1_000_000);
  const maxStreamsPerUser = int(env, 'LIVE_EVENTS_MAX_STREAMS_PER_USER', 20, 1, 10_000);
  if (maxStreamsPerAccount > maxStreams) {
    throw new ConfigError('LIVE_EVENTS_MAX_STREAMS_PER_ACCOUNT', `must not exceed LIVE_EVENTS_MAX_STREAMS (${maxStreams})`, String(maxStreamsPerAccount));
  }
  if (maxStreamsPerUser > maxStreamsPerAccount) {
    throw new ConfigError('LIVE_EVENTS_MAX_STREAMS_PER_USER', `must not exceed LIVE_EVENTS_MAX_STREAMS_PER_ACCOUNT (${maxStreamsPerAccount})`, String(maxStreamsPerUser));
  }
  return {
    retentionHours: int(env, 'LIVE_EVENTS_RETENTION_HOURS', 24, 1, 24 * 30),
    replayMax: int(env, 'LIVE_EVENTS_REPLAY_MAX', 1000, 1, 100_000),
    heartbeatSeconds: int(env, 'LIVE_EVENTS_HEARTBEAT_SECONDS', 15, 1, 300),
    maxBufferBytes: int(env, 'LIVE_EVENTS_MAX_BUFFER_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
    maxStreams,
    maxStreamsPerAccount,
    maxStreamsPerUser,
    accessRecheckSeconds: int(env, 'LIVE_EVENTS_ACCESS_RECHECK_SECONDS', 60, 1, 3600),
    campaignProgressMs: int(env, 'LIVE_EVENTS_CAMPAIGN_PROGRESS_MS', 500, 50, 60_000),
    ticketTtlSeconds: int(env, 'LIVE_EVENTS_TICKET_TTL_SECONDS', 30, 5, 3600),
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
