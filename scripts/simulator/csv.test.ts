import { describe, expect, it } from 'vitest';
import { CfpbCsvNotFound, CsvError, findCfpbCsv, loadCfpb, parseCsv, parseCsvObjects, requireCfpbCsv } from './csv.ts';

describe('csv - RFC 4180 parsing', () => {
  it('splits plain fields and rows', () => {
    expect(parseCsv('a,b,c\n1,2,3\n')).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
  });
  it('keeps commas, doubled quotes and newlines inside quoted fields', () => {
    const text = 'id,text\n1,"Hello, world"\n2,"He said ""no"""\n3,"line one\nline two\r\nline three"\n';
    expect(parseCsv(text)).toEqual([
      ['id', 'text'],
      ['1', 'Hello, world'],
      ['2', 'He said "no"'],
      ['3', 'line one\nline two\r\nline three'],
    ]);
  });
  it('accepts CRLF, lone CR, a BOM and a missing final line end', () => {
    expect(parseCsv('\ufeffa,b\r\n1,2\r3,4')).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
  });
  it('keeps empty fields, including a trailing one and an empty quoted one', () => {
    expect(parseCsv('a,,c,\n"",x,,\n')).toEqual([['a', '', 'c', ''], ['', 'x', '', '']]);
  });
  it('gives an empty line inside the data as a row with one empty field, and ignores the final line end', () => {
    expect(parseCsv('a\n\nb\n')).toEqual([['a'], [''], ['b']]);
    expect(parseCsv('')).toEqual([]);
  });
  it('keeps a quote inside an unquoted field literally', () => {
    expect(parseCsv('5" screen,x\n')).toEqual([['5" screen', 'x']]);
  });
  it('refuses an unterminated quoted field', () => {
    expect(() => parseCsv('a,"never closed\n1,2\n')).toThrow(CsvError);
  });
  it('maps rows to header names and fills short rows', () => {
    expect(parseCsvObjects('x,y\n1\n2,3\n')).toEqual([{ x: '1', y: '' }, { x: '2', y: '3' }]);
  });
});

describe('csv - where the CFPB sample is', () => {
  it('uses CFPB_CSV when it names a file', () => {
    const path = findCfpbCsv({}) as string;
    expect(findCfpbCsv({ CFPB_CSV: path })).toBe(path);
  });
  it('refuses a CFPB_CSV naming a missing file, naming the variable and the path, instead of falling back', () => {
    expect(() => findCfpbCsv({ CFPB_CSV: '/no/such/complaints.csv' })).toThrow(CfpbCsvNotFound);
    expect(() => findCfpbCsv({ CFPB_CSV: '/no/such/complaints.csv' })).toThrow(/^CFPB_CSV names \/no\/such\/complaints\.csv, which does not exist/);
  });
  it('says what the sample is, where it was looked for and how to give it, when it is nowhere', () => {
    const cwdSample = findCfpbCsv({}) as string;
    expect(requireCfpbCsv({})).toBe(cwdSample);
    expect(() => requireCfpbCsv({ CFPB_CSV: '/no/such/complaints.csv' })).toThrow(/CFPB_CSV names/);
    const nowhere = ['/clone/data/cfpb/complaints.csv', '/shared/data/cfpb/complaints.csv'];
    expect(() => requireCfpbCsv({}, nowhere)).toThrow(CfpbCsvNotFound);
    expect(() => requireCfpbCsv({}, nowhere)).toThrow(
      /CFPB complaint sample \(complaints\.csv\) is not in the repository and was not found at \/clone\/data\/cfpb\/complaints\.csv or \/shared\/data\/cfpb\/complaints\.csv: copy it there or set CFPB_CSV/,
    );
  });
  it('refuses a CFPB_CSV naming a directory', () => {
    expect(() => findCfpbCsv({ CFPB_CSV: import.meta.dirname })).toThrow(/^CFPB_CSV names .*, which is not a file/);
  });
});

describe('csv - CFPB sample', () => {
  const path = findCfpbCsv();
  it('finds the sample', () => {
    expect(path).toBeDefined();
  });
  it('loads every complaint with the fields used, multi-line narratives intact', () => {
    const rows = loadCfpb(path as string);
    // 6,673 physical lines hold 4,409 complaints: narratives span lines.
    expect(rows).toHaveLength(4409);
    expect(new Set(rows.map((r) => r.complaintId)).size).toBe(rows.length);
    const first = rows[0];
    expect(first).toMatchObject({
      complaintId: '3571115',
      dateReceived: '2020/3/18',
      product: 'Credit reporting, credit repair services, or other personal consumer reports',
      subProduct: 'Credit reporting',
      issue: 'Incorrect information on your report',
      subIssue: 'Information belongs to someone else',
      narrative: '',
      state: 'FL',
      submittedVia: 'Web',
      companyResponse: 'Closed with explanation',
      timely: true,
      disputed: 'N/A',
    });
    expect(rows.filter((r) => r.narrative.includes('\n')).length).toBeGreaterThan(100);
    expect(rows.filter((r) => r.narrative !== '')).toHaveLength(1037);
    for (const r of rows) expect(r.dateReceived).toMatch(/^\d{4}\/\d{1,2}\/\d{1,2}$/);
  });
});
