// What a failed write says about the store. The pipeline isolates a poison row by writing a failed
// batch in halves and dead-letters a row that still fails alone at its last delivery; that is
// right only when the store refused *that row*. When the store refuses *every* write (down,
// overloaded, full, read-only, too many parts), each row fails alone too, and dead-lettering it
// would take a valid ticket out of the counts: such a failure is an outage, retried with back-off
// until the store takes writes again, never split and never dead-lettered.

export type WriteFailureKind =
  /** the store takes no writes now, whatever the rows: retry later */
  | 'store_unavailable'
  /** the store read the rows and refused their content: one of them may be poison */
  | 'rows_refused'
  /** neither is known: a row is poison only if the store took other writes meanwhile */
  | 'unknown';

/** Thrown by our own sinks when they refuse writes to protect the store (e.g. a journal backlog). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

// ClickHouse error names (the `type` of @clickhouse/client's ClickHouseError, also the `(NAME)`
// ending of a `DB::Exception` message) that say nothing about the rows sent.
const STORE_UNAVAILABLE = new Set([
  'TOO_MANY_PARTS', 'MEMORY_LIMIT_EXCEEDED', 'CANNOT_ALLOCATE_MEMORY', 'NOT_ENOUGH_SPACE', 'TABLE_IS_READ_ONLY',
  'READONLY', 'TOO_MANY_SIMULTANEOUS_QUERIES', 'SERVER_OVERLOADED', 'TIMEOUT_EXCEEDED', 'SOCKET_TIMEOUT', 'NETWORK_ERROR',
  'AUTHENTICATION_FAILED', 'REQUIRED_PASSWORD', 'ACCESS_DENIED', 'UNKNOWN_TABLE', 'UNKNOWN_DATABASE', 'TABLE_IS_DROPPED',
  'ABORTED', 'QUERY_WAS_CANCELLED', 'KEEPER_EXCEPTION', 'NO_ZOOKEEPER', 'ALL_CONNECTION_TRIES_FAILED',
  'ALL_REPLICAS_ARE_STALE', 'DISTRIBUTED_TOO_MANY_PENDING_BYTES', 'QUOTA_EXCEEDED', 'CANNOT_WRITE_TO_FILE_DESCRIPTOR',
  'CANNOT_FSYNC', 'CANNOT_OPEN_FILE', 'CANNOT_WRITE_TO_OSTREAM', 'SYSTEM_ERROR', 'CANNOT_SCHEDULE_TASK',
]);

// ClickHouse error names that mean it parsed the rows and refused a value in them.
const ROWS_REFUSED = new Set([
  'INCORRECT_DATA', 'TYPE_MISMATCH', 'TOO_LARGE_STRING_SIZE', 'TOO_LARGE_ARRAY_SIZE', 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE', 'CANNOT_CONVERT_TYPE', 'INCORRECT_NUMBER_OF_COLUMNS', 'ATTEMPT_TO_READ_AFTER_EOF',
  'CANNOT_READ_ALL_DATA', 'ILLEGAL_COLUMN', 'BAD_ARGUMENTS', 'UNKNOWN_ELEMENT_IN_ENUM', 'ARGUMENT_OUT_OF_BOUND',
]);

// Node.js and undici error codes of the network or the file system (the embedded engine's live
// journal is a file): none of them is about a row.
const SYSTEM_UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'EAI_AGAIN', 'ENOTFOUND', 'ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EMFILE', 'ENFILE', 'ENOTDIR', 'ENOENT',
  'EBADF', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE',
]);

const NETWORK_MESSAGE = /socket hang up|timeout|timed out|ECONNREFUSED|ECONNRESET|network|connection (closed|refused|reset)/i;

/** The ClickHouse error name of an error: its `type`, else the `(NAME)` a DB::Exception ends with. */
export function clickHouseErrorName(err: unknown): string | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && /^[A-Z][A-Z0-9_]+$/.test(type)) return type;
  const message = err instanceof Error ? err.message : String(err);
  return /DB::Exception:[\s\S]*\(([A-Z][A-Z0-9_]+)\)/.exec(message)?.[1];
}

export function classifyWriteFailure(err: unknown): WriteFailureKind {
  if (err instanceof StoreUnavailableError) return 'store_unavailable';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SYSTEM_UNAVAILABLE.has(code)) return 'store_unavailable';
  const name = clickHouseErrorName(err);
  if (name) {
    if (STORE_UNAVAILABLE.has(name)) return 'store_unavailable';
    if (ROWS_REFUSED.has(name) || name.startsWith('CANNOT_PARSE')) return 'rows_refused';
    return 'unknown';
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/^Cannot parse|CANNOT_PARSE/.test(message)) return 'rows_refused';
  if (NETWORK_MESSAGE.test(message)) return 'store_unavailable';
  return 'unknown';
}
