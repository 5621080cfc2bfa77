import { describe, expect, it } from 'vitest';
import { guardSql } from '../../server/routes/sql-guard.ts';

// The guard in front of POST /api/sql, without a server: what passes and what is refused.

describe('analyst sql - guard', () => {
  it('lets plain SELECTs through, comments, strings and parameterised views included', () => {
    const ok = [
      'SELECT 1',
      'select 1;',
      "SELECT 'a; drop table x' AS s -- drop me\n",
      'WITH t AS (SELECT 1 AS x) SELECT x FROM t',
      'SELECT * FROM complaints.v_repeat_complaints(days = 30)',
      "SELECT formatDateTime(now(), '%F') AS d, toStartOfWeek(today()) AS w",
      '/* insert */ SELECT `week` FROM complaints.v_resolution_weekly',
    ];
    for (const q of ok) expect(() => guardSql(q), q).not.toThrow();
    // a trailing line comment cannot swallow the appended SETTINGS clause
    expect(guardSql('SELECT 1 -- note')).toBe('SELECT 1 -- note\n');
  });

  it('refuses everything else with a reason', () => {
    const bad: Array<[string, RegExp]> = [
      ['', /empty/],
      ['SHOW TABLES', /only SELECT/],
      ['SELECT 1; SELECT 2', /one statement/],
      ['INSERT INTO complaints.ticket_events SELECT * FROM complaints.ticket_events', /only SELECT/],
      ['SELECT * FROM complaints.t INTO OUTFILE \'/tmp/x\'', /INTO/],
      ['SELECT 1 FORMAT CSV', /FORMAT/],
      ['SELECT 1 SETTINGS max_rows_to_read = 0', /SETTINGS/],
      ['SELECT name FROM system.tables', /SYSTEM/],
      ['SELECT * FROM "system"."parts"', /SYSTEM/],
      ['SELECT * FROM INFORMATION_SCHEMA.TABLES', /system tables/],
      ["SELECT * FROM s3('http://x/y', 'CSV')", /s3\(\)/],
      ['SELECT * FROM remote(\'127.0.0.1\', default.t)', /remote\(\)/],
      ['SELECT 1 /* open', /unterminated/],
      ["SELECT 'open", /unterminated/],
      // a heredoc read as code let a quote inside it open a "string" to the end (privacy audit)
      ["SELECT $$'$$ AS a, name FROM system.tables -- '", /heredoc/],
      ["SELECT $x$'$x$ AS a; DROP TABLE complaints.ticket_events -- '", /heredoc/],
    ];
    for (const [q, re] of bad) expect(() => guardSql(q), q).toThrow(re);
  });
});
