import { describe, expect, it } from 'vitest';
import { checkEngineReading, guardSql, lexSql } from './sql-guard.ts';

// The guard must read a text as ClickHouse's lexer does (src/Parsers/Lexer.cpp): an audit hid
// statements where the two readings differed. What ClickHouse does with each construct below was
// checked on the engine (chdb 3.4); sql-guard-engine.test.ts checks random mixtures there.

const refused = (sql: string) => {
  try {
    guardSql(sql);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
};

describe('sql guard - nested block comments', () => {
  it('ends a /* comment where ClickHouse does, after as many */ as it opened', () => {
    const pieces = lexSql('SELECT 1 AS a /* x /* y */ z */ , 2 AS b');
    expect(pieces.map((p) => [p.kind, p.text])).toEqual([
      ['code', 'SELECT 1 AS a '],
      ['comment', '/* x /* y */ z */'],
      ['code', ' , 2 AS b'],
    ]);
    expect(lexSql('SELECT /*/ still */ 1').map((p) => p.kind)).toEqual(['code', 'comment', 'code']);
    expect(lexSql('SELECT /**/ 1').map((p) => p.kind)).toEqual(['code', 'comment', 'code']);
  });

  it("refuses the audit's bypasses: what hid behind the first */ is code, and is read as code", () => {
    expect(refused("SELECT 1 AS a /* /* */ ' */ ; SELECT getSetting($$readonly$$) AS ro; SELECT 2 AS b --'")).toMatch(/heredoc/);
    expect(refused("SELECT 1 AS a /* /* */ ' */ , (SELECT groupArray(name) FROM system.tables WHERE database = $$complaints$$) AS t --'")).toMatch(/heredoc/);
    // the same without heredocs: the hidden code is seen
    expect(refused("SELECT 1 AS a /* /* */ ' */ ; DROP TABLE complaints.ticket_events; SELECT 2 AS b --'")).toMatch(/one statement/);
    expect(refused("SELECT 1 AS a /* /* */ ' */ , (SELECT groupArray(name) FROM system.tables) AS t --'")).toMatch(/SYSTEM/);
    expect(refused("SELECT 1 AS a /* /* */ ' */ , (SELECT * FROM file('/proc/self/environ', 'RawBLOB')) AS t --'")).toMatch(/file\(\)/);
  });

  it('refuses a comment left open at any depth', () => {
    expect(refused('SELECT 1 /* open')).toMatch(/unterminated \/\*/);
    expect(refused('SELECT 1 /* a /* b */')).toMatch(/unterminated \/\*/);
    expect(refused('SELECT 1 /* a /*/')).toMatch(/unterminated \/\*/);
  });
});

describe('sql guard - comments and strings', () => {
  it('reads every line comment ClickHouse reads: --, //, "# " and "#!", to the next \\n only', () => {
    expect(refused("SELECT 1 AS a // '\n, (SELECT count() FROM system.tables) AS t --'")).toMatch(/SYSTEM/);
    expect(refused("SELECT 1 AS a # '\n, (SELECT count() FROM system.tables) AS t --'")).toMatch(/SYSTEM/);
    expect(refused("SELECT 1 AS a #! '\n, (SELECT count() FROM system.tables) AS t --'")).toMatch(/SYSTEM/);
    // \r does not end a comment for ClickHouse: what follows it on the line is comment
    expect(lexSql('SELECT 1 -- x\r, 2\n').map((p) => p.kind)).toEqual(['code', 'comment', 'code']);
    expect(lexSql('SELECT 1 -- x\r, 2\n')[1]!.text).toBe('-- x\r, 2');
  });

  it('lets comment marks inside strings and quotes inside comments be', () => {
    for (const ok of [
      "SELECT '/*' AS a, '*/' AS b, '--' AS c, '//' AS d, '# ' AS e",
      "SELECT 1 AS a /* it's */, 2 AS b -- it's\n",
      "SELECT 'it''s' AS a, 'it\\'s' AS b, \"we ird\" AS c, `x``y` AS d",
      "SELECT '“投诉”' AS quoted_in_a_string",
      "SELECT 1 AS x -- note\n, 2 AS y",
    ]) expect(refused(ok), ok).toBeUndefined();
    expect(lexSql("SELECT 'a\\'' AS s").map((p) => p.kind)).toEqual(['code', 'string', 'code']);
  });

  it('refuses typographic quotes outside strings: ClickHouse reads ‘…’ as a string and “…” as a name', () => {
    expect(refused("SELECT ‘ ' ’ AS b, (SELECT count() FROM system.tables) AS t --'")).toMatch(/typographic/);
    expect(refused('SELECT “x” FROM complaints.tickets')).toMatch(/typographic/);
  });

  it('refuses a -- glued to a word: ClickHouse reads 1e--1 as a number with an exponent sign', () => {
    expect(refused('SELECT 1e--1 AS x')).toMatch(/space before "--"/);
    expect(refused('SELECT x--y\nFROM t')).toMatch(/space before "--"/);
    expect(refused("SELECT 'a'--y\n")).toBeUndefined();
  });

  it('refuses unterminated strings and names, and backslashes in names', () => {
    expect(refused("SELECT 'open")).toMatch(/unterminated quote/);
    expect(refused("SELECT 'ends in a backslash\\'")).toMatch(/unterminated quote/);
    expect(refused('SELECT "open')).toMatch(/unterminated quote/);
    expect(refused('SELECT * FROM `sys\\tem`.tables')).toMatch(/backslash/);
  });
});

describe('sql guard - heredocs', () => {
  it('refuses $ anywhere: in code, in a string, in a comment', () => {
    for (const q of ['SELECT $$x$$', 'SELECT $t$x$t$', "SELECT 'US$' AS s", 'SELECT 1 /* $$ */', 'SELECT 1 -- $\n', 'SELECT a$b FROM t']) {
      expect(refused(q), q).toMatch(/heredoc/);
    }
  });
});

describe('sql guard - one statement', () => {
  it('takes one trailing ; away, comments after it kept', () => {
    expect(guardSql('SELECT 1;')).toBe('SELECT 1');
    expect(guardSql('  SELECT 1 ;  \n')).toBe('SELECT 1');
    expect(guardSql('SELECT 1; -- done')).toBe('SELECT 1  -- done\n');
    expect(guardSql('SELECT 1 /* ; */')).toBe('SELECT 1 /* ; */');
    expect(guardSql("SELECT ';' AS s, 1 AS \"a;b\"")).toBe("SELECT ';' AS s, 1 AS \"a;b\"");
  });

  it('refuses every other ;', () => {
    for (const q of ['SELECT 1; SELECT 2', 'SELECT 1;;', 'SELECT 1; /* x */ SELECT 2', ';SELECT 1', 'SELECT 1 /* a */; /* b */ ;']) {
      expect(refused(q), q).toMatch(/one statement/);
    }
  });

  it('ends the text with a line break when it ends in a line comment, so nothing put after it is swallowed', () => {
    expect(guardSql('SELECT 1 -- note')).toBe('SELECT 1 -- note\n');
    expect(guardSql('SELECT 1 // note')).toBe('SELECT 1 // note\n');
    expect(guardSql('SELECT 1 /* note */')).toBe('SELECT 1 /* note */');
  });
});

describe("sql guard - the engine's reading", () => {
  it("refuses what the engine's canonical form shows: a second statement, writes, system tables, files", () => {
    const check = (canonical: string) => {
      try {
        checkEngineReading(canonical);
      } catch (err) {
        return (err as Error).message;
      }
      return undefined;
    };
    expect(check("SELECT\n    1 AS a,\n    'x' AS b\nFROM complaints.tickets")).toBeUndefined();
    expect(check('SELECT *\nFROM `complaints.v_repeat_complaints`(days = 30)')).toBeUndefined();
    expect(check("SELECT\n    1 AS a,\n    (\n        SELECT groupArray(name)\n        FROM system.tables\n    ) AS t")).toMatch(/SYSTEM/);
    expect(check("SELECT file('/proc/self/environ')")).toMatch(/file\(\)/);
    expect(check("SELECT 1\nINTO OUTFILE '/tmp/x'")).toMatch(/INTO/);
    expect(check('INSERT INTO t FORMAT Values')).toMatch(/only SELECT/);
    expect(check('SELECT 1; SELECT 2')).toMatch(/one statement/);
  });

  it("refuses the server's own settings: they name its paths (the data directory beside the hash key)", () => {
    expect(refused("SELECT getServerSetting('path')")).toMatch(/getserversetting\(\) is not available/);
    expect(refused("SELECT GETSERVERSETTING ('path')")).toMatch(/not available/);
    expect(refused("SELECT getMergeTreeSetting('index_granularity')")).toMatch(/not available/);
    expect(refused("SELECT getSetting('readonly') AS r")).toBeUndefined(); // the query's own settings
  });
});
