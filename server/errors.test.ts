import { describe, expect, it } from 'vitest';
import { storeAway } from './errors.ts';

// Verify AV6 / AY2: a read the store cannot answer because ClickHouse is away is a 503 to retry;
// anything else (a renamed table, a file error, a bug that mentions a timeout) stays what it is.
describe('errors - the store away', () => {
  it('is a refused, reset or unreachable connection, nothing else', () => {
    const away = [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }), new Error('socket hang up'), Object.assign(new Error('fetch failed'), { code: 'UND_ERR_SOCKET' })];
    for (const err of away) expect(storeAway(err)).toMatchObject({ statusCode: 503, code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/^数据库（ClickHouse）暂无响应，请稍后重试 · /) });
    const other = [new Error('Table complaints.dead_letters does not exist. (UNKNOWN_TABLE)'), Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }), new Error('a timeout of my own'), null];
    for (const err of other) expect(storeAway(err)).toBeUndefined();
  });
});
