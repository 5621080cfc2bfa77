import { describe, expect, it } from 'vitest';
import { PlanError } from '../errors.ts';
import { csvRecords } from './csv.ts';
import { parseBranchSizes } from './inputs.ts';

// The branches file is written by people in spreadsheets, which quote a cell holding a comma
// (audit: "Beijing, Haidian" was refused as "expected 4 comma-separated cells").

const HEAD = 'code,name,parent,size';
const refusal = (f: () => unknown): PlanError => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return err as PlanError;
  }
  throw new Error('not refused');
};

describe('plan builder - branches CSV quoting (RFC 4180)', () => {
  it('reads a quoted name holding a comma', () => {
    expect(parseBranchSizes(`${HEAD}\nBJ,"Beijing, Haidian",,1200\n`, 'b.csv')).toEqual([{ code: 'BJ', name: 'Beijing, Haidian', size: 1200 }]);
  });

  it('reads doubled quotes inside a quoted cell, quoted codes and sizes, and spaces around quotes', () => {
    const text = `${HEAD}\n"BJ","海淀 ""中关村"" 支行",,"300"\nHD, "x, y" ,BJ,1\n`;
    expect(parseBranchSizes(text, 'b.csv')).toEqual([
      { code: 'BJ', name: '海淀 "中关村" 支行', size: 300 },
      { code: 'HD', name: 'x, y', parent: 'BJ', size: 1 },
    ]);
  });

  it('reads CRLF line ends, a BOM and a missing final line end', () => {
    const text = `\uFEFF${HEAD}\r\nBJ,"Beijing, Dongcheng",,5\r\nSH,上海,,7`;
    expect(parseBranchSizes(text, 'b.csv').map((b) => [b.code, b.name, b.size])).toEqual([['BJ', 'Beijing, Dongcheng', 5], ['SH', '上海', 7]]);
  });

  it('names the right line after a quoted cell that spans lines, with CRLF too', () => {
    for (const eol of ['\n', '\r\n']) {
      const text = [HEAD, 'BJ,"two', 'lines",,1', '# a comment', '', 'SH,x,,0'].join(eol);
      const err = refusal(() => parseBranchSizes(text, 'b.csv'));
      expect(err.message).toBe('b.csv:6: size: expected a number greater than 0 (got "0")');
    }
  });

  it('still refuses a row of 5 cells, at its line, and says how to quote', () => {
    const err = refusal(() => parseBranchSizes(`${HEAD}\nBJ,x,,1\nHD,Beijing, Haidian,BJ,2\n`, 'b.csv'));
    expect(err.message).toMatch(/^b\.csv:3: expected 4 comma-separated cells, got 5 \(quote a cell that holds a comma/);
  });

  it('refuses an unterminated quote and text after a closing quote, at their lines', () => {
    expect(refusal(() => parseBranchSizes(`${HEAD}\nBJ,x,,1\nHD,"never closed,BJ,2\n`, 'b.csv')).message).toMatch(/^b\.csv:3: a quoted cell is never closed/);
    expect(refusal(() => parseBranchSizes(`${HEAD}\nHD,"a"b,BJ,2\n`, 'b.csv')).message).toMatch(/^b\.csv:2: text after the closing quote/);
  });

  it('keeps the line of a branch for later checks (parent, cycle) after multi-line cells', () => {
    const text = `${HEAD}\nBJ,"a\nb",,1\nHD,y,XX,2\n`;
    expect(refusal(() => parseBranchSizes(text, 'b.csv')).message).toMatch(/^b\.csv:4: parent: parent "XX"/);
  });
});

describe('plan builder - csv records', () => {
  it('gives each record its starting line and its cells', () => {
    expect(csvRecords('a,b\r\n\r\n"x\r\ny",""""\n# note, "with" quotes\nlast,\n', 'f.csv')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 3, cells: ['x\r\ny', '"'] },
      { line: 6, cells: ['last', ''] },
    ]);
    expect(csvRecords('', 'f.csv')).toEqual([]);
  });
});
