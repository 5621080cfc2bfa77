import { describe, expect, it } from 'vitest';
import { classifyWriteFailure, clickHouseErrorName, StoreUnavailableError } from './store-errors.ts';

const errno = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8123`), { code });

describe('store errors - what a failed write says about the store', () => {
  it('reads the ClickHouse error name from the client error, or from the DB::Exception text', () => {
    expect(clickHouseErrorName(Object.assign(new Error('x'), { type: 'TOO_MANY_PARTS' }))).toBe('TOO_MANY_PARTS');
    expect(clickHouseErrorName(new Error('Code: 252. DB::Exception: Too many parts (2). Merges are slower (TOO_MANY_PARTS) (version 24.8.1)'))).toBe('TOO_MANY_PARTS');
    expect(clickHouseErrorName(new Error('plain'))).toBeUndefined();
  });

  it.each([
    ['too many parts', Object.assign(new Error('Too many parts'), { type: 'TOO_MANY_PARTS', code: '252' })],
    ['memory limit', new Error('Code: 241. DB::Exception: Memory limit exceeded (MEMORY_LIMIT_EXCEEDED) (version chdb)')],
    ['disk full on the server', new Error('Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)')],
    ['read-only table', Object.assign(new Error('Table is in readonly mode'), { type: 'TABLE_IS_READ_ONLY' })],
    ['wrong password', new Error('Code: 516. DB::Exception: default: Authentication failed. (AUTHENTICATION_FAILED)')],
    ['connection refused', errno('ECONNREFUSED')],
    ['connection reset', errno('ECONNRESET')],
    ['disk full for the journal', errno('ENOSPC')],
    ['socket hang up', new Error('socket hang up')],
    ['client timeout', new Error('Timeout error.')],
    ['our own journal backlog', new StoreUnavailableError('ClickHouse is behind: 500000 rows wait in the live journal')],
  ])('%s: the store is unavailable', (_, err) => {
    expect(classifyWriteFailure(err)).toBe('store_unavailable');
  });

  it.each([
    ['unparsable value', new Error('Code: 27. DB::Exception: Cannot parse input: expected \'\\t\' (CANNOT_PARSE_INPUT_ASSERTION_FAILED)')],
    ['type mismatch', Object.assign(new Error('x'), { type: 'TYPE_MISMATCH' })],
    ['string too long', new Error('Code: 131. DB::Exception: Too large string size (TOO_LARGE_STRING_SIZE)')],
    ['a stand-in sink refusing a row', new Error('Cannot parse input: unexpected value in row')],
  ])('%s: the rows were refused', (_, err) => {
    expect(classifyWriteFailure(err)).toBe('rows_refused');
  });

  it('anything else is unknown: a row is poison only if the store took other writes', () => {
    expect(classifyWriteFailure(new Error('something odd'))).toBe('unknown');
    expect(classifyWriteFailure(new Error('Code: 1001. DB::Exception: std::exception (STD_EXCEPTION)'))).toBe('unknown');
    expect(classifyWriteFailure('a string')).toBe('unknown');
  });
});
