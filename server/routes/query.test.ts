import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors.ts';
import { intParam } from './query.ts';

// Integer query parameters (limit, offset, hours, week): a refusal says the allowed range
// (audit: limit=-1 was answered "limit must be an integer", which -1 is).

describe('query - whole-number parameters', () => {
  it.each([
    ['-1', 'limit must be a whole number from 1 to 1000 (got "-1")'],
    ['abc', 'limit must be a whole number from 1 to 1000 (got "abc")'],
    ['1.5', 'limit must be a whole number from 1 to 1000 (got "1.5")'],
    ['', 'limit must be a whole number from 1 to 1000 (got "")'],
    ['0', 'limit must be a whole number from 1 to 1000 (got "0")'],
    ['1001', 'limit must be a whole number from 1 to 1000 (got "1001")'],
    ['9'.repeat(25), `limit must be a whole number from 1 to 1000 (got "${'9'.repeat(25)}")`],
  ])('limit=%j → 400 with the range', (raw, message) => {
    let err: unknown;
    try {
      intParam({ limit: raw }, 'limit', 100, 1, 1000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect([(err as HttpError).statusCode, (err as HttpError).message]).toEqual([400, message]);
  });

  it('takes a whole number in range, the bounds included, and the fallback when absent', () => {
    expect(intParam({ limit: '1' }, 'limit', 100, 1, 1000)).toBe(1);
    expect(intParam({ limit: '1000' }, 'limit', 100, 1, 1000)).toBe(1000);
    expect(intParam({ offset: '0' }, 'offset', 0, 0, 10_000_000)).toBe(0);
    expect(intParam({}, 'limit', 100, 1, 1000)).toBe(100);
  });
});
