import type { ClickHouseClient } from '@clickhouse/client';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClickHouse } from '../clickhouse.ts';
import { HttpError } from '../errors.ts';
import { guardSql, lexSql } from './sql-guard.ts';

// The guard's reading of a text against the engine's own (chdb, in this process).

let dir: string;
let engine: ClickHouseClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cewm-sqlguard-'));
  engine = await openClickHouse({ dataDir: join(dir, 'clickhouse') });
});

afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('analyst sql - the guard reads as ClickHouse does (property, on the engine)', () => {
  // The engine's own lexer is the oracle: normalizeQueryKeepNames() cuts a text as the engine
  // does, dropping comments and putting ? for strings, without needing it to parse. A marker
  // word or a ; the engine reads as code (or a quoted name) must be so to the guard too, or the
  // guard missed it.
  const MARKER = 'leak_marker';
  const fragments = [
    '/*', '*/', '/* /* */', "'", '"', '`', '--', '//', '#', '# ', '#!', '\n', '\r', '\\', '‘', '’', '“', '”', '$', '-', '/', '*', ' ', 'e', '1',
    ';', ` ${MARKER} `,
  ];
  const texts = fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 12 }).map((parts) => `SELECT 1 AS a ${parts.join('')}`);
  const sqlString = (text: string) => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;

  it('random mixtures of comments, strings and quotes are refused, or hide no code from the guard', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        let sql: string;
        try {
          sql = guardSql(text);
        } catch (err) {
          expect(err).toBeInstanceOf(HttpError);
          expect((err as HttpError).statusCode).toBe(400);
          return;
        }
        accepted++;
        const rs = await engine.query({ query: `SELECT normalizeQueryKeepNames(${sqlString(sql)}) AS code`, format: 'JSONEachRow' });
        const engineCode = (await rs.json<{ code: string }>())[0]!.code;
        const guardCode = lexSql(sql).filter((p) => p.kind === 'code' || p.kind === 'name').map((p) => p.text).join(' ');
        if (engineCode.includes(MARKER)) expect(guardCode, text).toContain(MARKER);
        expect(engineCode, text).not.toContain(';');
      }),
      { numRuns: 3000, seed: 20260524 },
    );
    expect(accepted).toBeGreaterThan(300); // the property is not met by refusing everything
  });
});
