import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { DAY_MS, DEFAULT_STREAM_MAX_AGE_DAYS, type ConsumerSettings, type StreamRetention } from '../pipelines/sources/jetstream-setup.ts';

export type Role = 'viewer' | 'supervisor' | 'admin';

export interface MonitorConfig {
  dataDir: string;
  port: number;
  host: string;
  /** unset: start a local nats-server with its store under dataDir */
  natsUrl?: string;
  /** that local nats-server's port (NATS_PORT); unset: 4222 when free, else any free port */
  natsPort?: number;
  /** unset: the embedded ClickHouse engine (chdb) in dataDir/clickhouse */
  clickhouseUrl?: string;
  /** the server's identity (sql/026), read at start: what its counting lease is keyed by */
  storeId?: string;
  clickhouseUser?: string;
  clickhousePassword?: string;
  /** unset: the sample plan (server/sample-plan.yaml) for the current year */
  planPath?: string;
  /** raw key material for hashing customer ids; unset: generated once into dataDir */
  customerHashKey?: string;
  /** token → role; empty means open local mode (loopback reads only, no actions) */
  tokens: Map<string, Role>;
  /** token → the branches a supervisor token is limited to (absent: the whole bank) */
  tokenBranches: Map<string, readonly string[]>;
  /** how often the alert engine's clock ticks (week boundaries, case deadlines, on-call ladder) */
  alertTickMs: number;
  /** how long the pipeline waits to fill a ClickHouse batch */
  batchMs: number;
  batchMax: number;
  consumerName: string;
  /** how long the broker waits for an ack before redelivering (a killed monitor's messages) */
  ackWaitMs: number;
  /** unacknowledged messages in flight: the bound on the pipeline's memory */
  maxAckPending: number;
  /** embedded engine: the longest a live row waits in the journal before it joins ticket_events */
  journalMoveMs: number;
  /** how often the monitor stores finished weeks' reviews by itself; 0: never (requests still store) */
  weeklyReviewCheckMs: number;
  /** how often gateway notices the broker refused are tried again (NOTICE_REFUSED_RETRY_MS) */
  noticeRefusedRetryMs: number;
  /** embedded mode: the monitor's own broker, hung this long, is killed and started again; 0 never (LOCAL_NATS_HANG_MS) */
  localNatsHangMs: number;
  /** how long the COMPLAINTS stream keeps a message (STREAM_MAX_AGE_DAYS; jetstream-setup.ts says why) */
  streamRetention: StreamRetention;
  /** a line the wall and the console show on their top bars (DATA_NOTICE): where the figures come from, e.g. the re-labelled CFPB sample */
  dataNotice?: string;
}

/** An integer environment variable within bounds; anything else stops the start, named. */
export function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return n;
}

const ROLES: readonly Role[] = ['viewer', 'supervisor', 'admin'];
const BRANCH_LIST = /^[A-Za-z0-9_-]{1,64}(\|[A-Za-z0-9_-]{1,64})*$/;

/**
 * MONITOR_TOKENS="token1:admin,token2:viewer,token3:supervisor:BJ|SH" — a supervisor may be
 * limited to branches (and their sub-branches) by a third, `|`-separated part.
 */
export function parseTokens(raw: string | undefined): { tokens: Map<string, Role>; branches: Map<string, readonly string[]> } {
  const tokens = new Map<string, Role>();
  const branches = new Map<string, readonly string[]>();
  if (!raw) return { tokens, branches };
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const parts = entry.split(':');
    let limit: string[] | undefined;
    if (parts.length >= 3 && ROLES.includes(parts[parts.length - 2] as Role) && !ROLES.includes(parts[parts.length - 1] as Role)) {
      const list = parts.pop()!;
      if (!BRANCH_LIST.test(list)) throw new ConfigError('MONITOR_TOKENS', `branch list "${list}" must be branch codes separated by |`);
      limit = list.split('|');
    }
    const role = parts.pop() ?? '';
    const token = parts.join(':');
    if (!token || !ROLES.includes(role as Role)) {
      throw new ConfigError('MONITOR_TOKENS', 'expects token:role pairs separated by commas, roles viewer|supervisor|admin, optionally token:supervisor:BJ|SH');
    }
    if (limit && role !== 'supervisor') throw new ConfigError('MONITOR_TOKENS', 'only supervisor tokens take a branch list');
    if (token.length < 16) throw new ConfigError('MONITOR_TOKENS', 'tokens must be at least 16 characters');
    tokens.set(token, role as Role);
    if (limit) branches.set(token, limit);
  }
  return { tokens, branches };
}

/** The analysts' SQL limits, read by server/routes/sql-run.ts: a malformed one stops the start, named. */
function checkSqlLimits(env: NodeJS.ProcessEnv): void {
  for (const [name, min, max] of [
    ['SQL_MAX_RESULT_ROWS', 1, 1e9], ['SQL_MAX_ROWS_TO_READ', 1, 1e12], ['SQL_MAX_EXECUTION_SECONDS', 1, 3_600],
    ['SQL_MAX_MEMORY_BYTES', 1e6, 1e12], ['SQL_MAX_CONCURRENT', 1, 64],
  ] as const) intVar(env, name, min, min, max);
}

/** the longest DATA_NOTICE: one line on a wall's top bar (about 108 Chinese characters fit at 1920x1080) */
export const DATA_NOTICE_MAX = 100;

/**
 * DATA_NOTICE, a line the pages show as text: one line of printable characters, at most
 * DATA_NOTICE_MAX; anything else stops the start, named (a notice cut or wrapped on the wall
 * would say less than the operator meant).
 */
export function dataNotice(env: NodeJS.ProcessEnv): string | undefined {
  const text = (env.DATA_NOTICE ?? '').trim();
  if (!text) return undefined;
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text)) throw new ConfigError('DATA_NOTICE', 'must be one line of text (no line breaks or control characters)');
  // a mark that reorders or hides text could show the notice reversed, or as an empty bar
  if (/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(text)) throw new ConfigError('DATA_NOTICE', 'must not contain marks that reorder or hide text (U+200B–U+200F, U+202A–U+202E, U+2060–U+2069, U+FEFF)');
  if ([...text].length > DATA_NOTICE_MAX) throw new ConfigError('DATA_NOTICE', `must be at most ${DATA_NOTICE_MAX} characters (got ${[...text].length})`);
  return text;
}

/** HOST names that listen on this machine only (an empty HOST is the default, 127.0.0.1). */
const LOOPBACK_LISTEN = /^(|localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/**
 * Open local mode (no tokens) answers loopback clients only: on a HOST that listens beyond the
 * machine it would answer nobody — in a container every request comes through the bridge, so a
 * compose start without MONITOR_TOKENS served a wall-board that refused every screen (audit V
 * F14). Such a start stops here, saying what to set.
 */
function checkOpenModeHost(host: string, tokens: Map<string, Role>): void {
  if (tokens.size > 0 || LOOPBACK_LISTEN.test(host)) return;
  throw new ConfigError('MONITOR_TOKENS', `is unset while HOST=${host} listens beyond this machine; without tokens the monitor answers loopback clients only (open local mode). Set MONITOR_TOKENS (token:role,…), or HOST=127.0.0.1`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MonitorConfig {
  checkSqlLimits(env);
  const { tokens, branches } = parseTokens(env.MONITOR_TOKENS);
  checkOpenModeHost(env.HOST ?? '', tokens);
  const notice = dataNotice(env);
  const dataDir = resolve(env.DATA_DIR || './data');
  mkdirSync(dataDir, { recursive: true });
  return {
    dataDir,
    port: intVar(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    natsUrl: env.NATS_URL || undefined,
    natsPort: env.NATS_PORT ? intVar(env, 'NATS_PORT', 4222, 1, 65535) : undefined,
    clickhouseUrl: env.CLICKHOUSE_URL || undefined,
    clickhouseUser: env.CLICKHOUSE_USER || undefined,
    clickhousePassword: env.CLICKHOUSE_PASSWORD || undefined,
    planPath: env.PLAN || undefined,
    customerHashKey: env.CUSTOMER_HASH_KEY || undefined,
    tokens,
    tokenBranches: branches,
    alertTickMs: intVar(env, 'ALERT_TICK_MS', 60_000, 100, 3_600_000),
    batchMs: intVar(env, 'BATCH_MS', 5, 0, 10_000),
    batchMax: intVar(env, 'BATCH_MAX', 20_000, 1, 1_000_000),
    consumerName: env.CONSUMER_NAME || 'monitor',
    ackWaitMs: intVar(env, 'ACK_WAIT_MS', 30_000, 1_000, 3_600_000),
    maxAckPending: intVar(env, 'MAX_ACK_PENDING', 20_000, 1, 1_000_000),
    journalMoveMs: intVar(env, 'JOURNAL_MOVE_MS', 10_000, 100, 600_000),
    weeklyReviewCheckMs: intVar(env, 'WEEKLY_REVIEW_CHECK_MS', 10 * 60_000, 0, 24 * 3_600_000),
    noticeRefusedRetryMs: intVar(env, 'NOTICE_REFUSED_RETRY_MS', 60_000, 1_000, 3_600_000),
    localNatsHangMs: intVar(env, 'LOCAL_NATS_HANG_MS', 30_000, 0, 3_600_000),
    streamRetention: { maxAgeMs: intVar(env, 'STREAM_MAX_AGE_DAYS', DEFAULT_STREAM_MAX_AGE_DAYS, 0, 3_650) * DAY_MS },
    ...(notice ? { dataNotice: notice } : {}),
  };
}

/** What the stream source needs of the configuration: its consumer, and the stream's retention. */
export function sourceSettings(c: MonitorConfig): ConsumerSettings {
  return { name: c.consumerName, maxAckPending: c.maxAckPending, ackWaitMs: c.ackWaitMs, retention: c.streamRetention };
}
