// RFC 4180 records for the builder's CSV inputs, each with the line it starts on, so a refusal
// names the line an operator sees in an editor even when a quoted cell spans lines.
//
// Cells may be quoted ("Beijing, Haidian"), with "" for a quote inside; lines end in LF or CRLF
// (a lone CR is ordinary text). Beyond RFC 4180, for files people write by hand: blank lines and
// lines starting with # between records are skipped, and spaces around a quoted cell are allowed.
// A quote inside an unquoted cell is kept as it is. The scripts' CSV reader
// (scripts/simulator/csv.ts) is for the CFPB export and keeps no line numbers, hence this one.

import { PlanError } from '../errors.ts';

export interface CsvRecord {
  /** 1-based line the record starts on */
  line: number;
  cells: string[];
}

export function csvRecords(text: string, file: string): CsvRecord[] {
  const s = text.replace(/^\uFEFF/, '');
  const n = s.length;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  /** index of the LF ending the line that holds `from`, or n */
  const lineEnd = (from: number) => {
    const k = s.indexOf('\n', from);
    return k < 0 ? n : k;
  };
  while (i < n) {
    const eol = lineEnd(i);
    const physical = s.slice(i, eol).trim();
    if (physical === '' || physical.startsWith('#')) {
      i = eol + 1;
      line++;
      continue;
    }
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let j = i;
      while (s[j] === ' ' || s[j] === '\t') j++;
      if (s[j] === '"') {
        let cell = '';
        let from = j + 1;
        for (;;) {
          const q = s.indexOf('"', from);
          if (q < 0) throw new PlanError({ file, line, reason: 'a quoted cell is never closed (its closing " is missing)' });
          cell += s.slice(from, q);
          line += countNewlines(s, from, q);
          if (s[q + 1] === '"') {
            cell += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        while (s[i] === ' ' || s[i] === '\t') i++;
        if (i < n && s[i] !== ',' && s[i] !== '\n' && !(s[i] === '\r' && s[i + 1] === '\n')) {
          throw new PlanError({ file, line, reason: 'text after the closing quote of a quoted cell (a quote inside a quoted cell is written "")' });
        }
        cells.push(cell);
      } else {
        let stop = i;
        while (stop < n && s[stop] !== ',' && s[stop] !== '\n') stop++;
        const end = s[stop] === '\n' && s[stop - 1] === '\r' ? stop - 1 : stop;
        cells.push(s.slice(i, end));
        i = end;
      }
      if (s[i] === ',') {
        i++;
        continue;
      }
      // end of the record: CRLF, LF or the end of the text
      i += s[i] === '\r' ? 2 : 1;
      line++;
      break;
    }
    records.push({ line: start, cells });
  }
  return records;
}

function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  for (let k = s.indexOf('\n', from); k >= 0 && k < to; k = s.indexOf('\n', k + 1)) count++;
  return count;
}
