import { badRequest } from '../errors.ts';

// The guard in front of POST /api/sql: one plain SELECT, nothing that writes, sets, reads system
// tables or reaches files, URLs or other servers.
//
// It is only as good as its reading of the text: where a comment or a string begins and ends
// decides what is code, and an audit hid whole statements in the difference (ClickHouse nests
// /* */ comments; the guard ended one at the first */ and read the rest as a string). So the
// lexer below follows ClickHouse's own (src/Parsers/Lexer.cpp) for every construct that can hide
// text — line comments `--`, `//`, `# `, `#!`; nested block comments; '…' strings and "…", `…`
// names with backslash escapes and doubled quotes — and refuses what it cannot read the same way:
// heredocs ($…$), typographic quotes (ClickHouse reads ‘…’ as a string, “…” as a name), a `--`
// glued to a word (ClickHouse reads 1e--1 as a number's exponent sign, not a comment), a
// backslash in a quoted name, anything unterminated, a `;` other than one at the end.
// The engine reads the text once more before it runs (checkEngineReading, sql-run.ts).

export interface SqlPiece {
  kind: 'code' | 'comment' | 'string' | 'name';
  /** offset of the piece in the text */
  start: number;
  text: string;
}

const TABLE_FUNCTIONS = [
  'file', 'url', 's3', 's3cluster', 'gcs', 'oss', 'azureblobstorage', 'azureblobstoragecluster', 'hdfs', 'remote', 'remotesecure',
  'cluster', 'clusterallreplicas', 'mysql', 'postgresql', 'sqlite', 'mongodb', 'redis', 'jdbc', 'odbc', 'input', 'executable',
  'iceberg', 'icebergs3', 'icebergazure', 'iceberghdfs', 'iceberglocal', 'deltalake', 'deltalakeazure', 'deltalakelocal', 'hudi',
  'numbers', 'numbers_mt', 'zeros', 'zeros_mt', 'generaterandom', 'merge', 'dictionary', 'view', 'format', 'values', 'null',
  'fuzzjson', 'fuzzquery', 'loop', 'urlcluster', 'filecluster', 'hdfscluster',
];
const WRITES_AND_SETTINGS = /\b(insert|alter|drop|create|truncate|delete|update|rename|attach|detach|optimize|grant|revoke|kill|system|set|settings|format|outfile|into|exchange|move|undrop|backup|restore)\b/;

const TYPOGRAPHIC_QUOTES = '‘’“”';

function refuse(message: string): never {
  throw badRequest(message);
}

/** The text as ClickHouse's lexer cuts it into code, comments, strings and quoted names. Throws 400 on what it cannot read as ClickHouse does. */
export function lexSql(sql: string): SqlPiece[] {
  const pieces: SqlPiece[] = [];
  let codeStart = 0;
  const flushCode = (end: number) => {
    if (end > codeStart) pieces.push({ kind: 'code', start: codeStart, text: sql.slice(codeStart, end) });
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    let end: number;
    let kind: SqlPiece['kind'];
    if ((c === '-' && next === '-') || (c === '/' && next === '/') || (c === '#' && (next === ' ' || next === '!'))) {
      if (c === '-' && i > codeStart && /[\w.]/.test(sql[i - 1]!)) {
        refuse('write a space before "--": ClickHouse reads a -- right after a number (1e--1) as part of it, not as a comment');
      }
      end = sql.indexOf('\n', i); // ClickHouse ends a line comment at \n only (not \r)
      if (end < 0) end = sql.length;
      kind = 'comment';
    } else if (c === '/' && next === '*') {
      end = blockCommentEnd(sql, i);
      kind = 'comment';
    } else if (c === "'" || c === '"' || c === '`') {
      end = quotedEnd(sql, i);
      kind = c === "'" ? 'string' : 'name';
      if (kind === 'name' && sql.slice(i, end).includes('\\')) refuse('a backslash in a quoted name is not allowed in an analyst query');
    } else if (c === '$') {
      refuse("heredoc strings ($$…$$, $tag$…$tag$) are not allowed in an analyst query; quote strings with '…'");
    } else if (TYPOGRAPHIC_QUOTES.includes(c)) {
      refuse(`typographic quotes (${TYPOGRAPHIC_QUOTES}) are not allowed outside a string in an analyst query; quote strings with '…' and names with "…"`);
    } else {
      i++;
      continue;
    }
    flushCode(i);
    pieces.push({ kind, start: i, text: sql.slice(i, end) });
    i = codeStart = end;
  }
  flushCode(sql.length);
  return pieces;
}

/** ClickHouse nests block comments: `/* /* *\/ *\/` is one comment (SQL standard). */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 1;
  let i = start + 2;
  while (i + 2 <= sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  // unterminated, it would swallow whatever is put after the text
  return refuse('unterminated /* comment in the query');
}

/** A quoted string or name: a backslash escapes the next character, a doubled quote is one quote. */
function quotedEnd(sql: string, start: number): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === '\\') i += 2;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else i++;
  }
  return refuse('unterminated quote in the query');
}

/** What the checks read: code as written, a comment as a space, a string as '', a quoted name unquoted. */
function skeleton(pieces: SqlPiece[]): string {
  return pieces
    .map((p) => {
      if (p.kind === 'code') return p.text;
      if (p.kind === 'comment') return ' ';
      if (p.kind === 'string') return "''";
      const quote = p.text[0]!;
      return p.text.slice(1, -1).split(quote + quote).join(quote);
    })
    .join('');
}

/** One SELECT (or WITH … SELECT), nothing that writes, sets settings or reaches outside the monitor's tables. */
function refuseUnlessPlainSelect(pieces: SqlPiece[]): void {
  if (pieces.some((p) => p.kind === 'code' && p.text.includes(';'))) refuse('one statement only');
  const lower = skeleton(pieces).toLowerCase();
  if (!/^\s*(select|with)\b/.test(lower)) refuse('only SELECT (or WITH … SELECT) queries are allowed');
  const banned = WRITES_AND_SETTINGS.exec(lower);
  if (banned) refuse(`"${banned[1]!.toUpperCase()}" is not allowed in an analyst query (read-only SELECT; the endpoint sets its own limits and format)`);
  if (/\b(system|information_schema)\s*\./.test(lower)) refuse('system tables are not available');
  const fn = new RegExp(`(^|[^.\\w])(${TABLE_FUNCTIONS.join('|')})\\s*\\(`).exec(lower);
  if (fn) refuse(`the table function ${fn[2]}() is not available`);
  // the server's own settings name its paths (the data directory beside the customer-hash key)
  const own = /(^|[^.\w])(getserversetting|getmergetreesetting)\s*\(/.exec(lower);
  if (own) refuse(`${own[2]}() is not available: the server's own settings are not for analyst queries`);
}

/** Throws 400 with a reason unless the text is one plain SELECT; returns the text to run (without its trailing `;`). */
export function guardSql(sql: string): string {
  if (typeof sql !== 'string' || sql.trim() === '') refuse('the query is empty');
  if (sql.length > 20_000) refuse('the query is longer than 20000 characters');
  // anywhere, strings and comments included: with no `$` in the text no reading of it has a heredoc
  if (sql.includes('$')) refuse("heredoc strings ($$…$$, $tag$…$tag$) are not allowed in an analyst query, nor is $ anywhere in it; quote strings with '…' (a $ in a string is '\\x24')");
  let pieces = lexSql(sql);
  const semicolons = pieces.filter((p) => p.kind === 'code' && p.text.includes(';'));
  if (semicolons.length > 0) {
    // one `;` may end the statement, with only whitespace and comments after it
    const last = semicolons.at(-1)!;
    const at = last.start + last.text.indexOf(';');
    const after = pieces.slice(pieces.indexOf(last) + 1);
    const endsTheStatement =
      semicolons.length === 1 && last.text.indexOf(';') === last.text.lastIndexOf(';') && last.text.slice(at - last.start + 1).trim() === '' && after.every((p) => p.kind === 'comment' || p.text.trim() === '');
    if (!endsTheStatement) refuse('one statement only');
    sql = sql.slice(0, at) + ' ' + sql.slice(at + 1);
    pieces = lexSql(sql);
  }
  refuseUnlessPlainSelect(pieces);
  const text = sql.trim();
  // a line comment at the end would swallow anything put after the text
  const last = pieces.filter((p) => p.text.trim() !== '').at(-1)!;
  return last.kind === 'comment' && !last.text.startsWith('/*') ? `${text}\n` : text;
}

/**
 * The same checks on the engine's own reading of the text (its formatQuery(): the statement as
 * ClickHouse parsed it, comments gone, strings and names quoted its one way): a hidden statement
 * or code the guard took for a comment or a string shows there.
 */
export function checkEngineReading(canonical: string): void {
  refuseUnlessPlainSelect(lexSql(canonical));
}
