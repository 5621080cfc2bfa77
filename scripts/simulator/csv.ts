import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// RFC 4180 CSV without a dependency. The CFPB export has quoted fields with commas, doubled
// quotes and multi-line narratives, so a line-based split would cut complaints in half.

export class CsvError extends Error {
  override name = 'CsvError';
}

/**
 * Parses CSV text into rows of fields. Accepts CRLF, LF or lone CR line ends, a leading BOM, and
 * a missing final line end; a blank last line is not a row. A quote inside an unquoted field is
 * kept literally (lenient, as spreadsheets do); an unterminated quoted field is an error.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  if (i >= n) return rows;
  // Each pass reads one field and the separator after it; slices, not per-character appends,
  // because the sample is 2.6 MB.
  for (;;) {
    let field: string;
    if (text[i] === '"') {
      field = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) throw new CsvError(`unterminated quoted field in row ${rows.length + 1}`);
        field += text.slice(from, q);
        if (text[q + 1] === '"') {
          field += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Anything between the closing quote and the separator is kept, leniently.
      const stop = nextSeparator(text, i);
      field += text.slice(i, stop);
      i = stop;
    } else {
      const stop = nextSeparator(text, i);
      field = text.slice(i, stop);
      i = stop;
    }
    row.push(field);
    if (i >= n) {
      rows.push(row);
      return rows;
    }
    const c = text[i];
    i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    if (c !== ',') {
      rows.push(row);
      row = [];
      if (i >= n) return rows;
    }
  }
}

function nextSeparator(text: string, from: number): number {
  for (let k = from; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 44 || c === 10 || c === 13) return k;
  }
  return text.length;
}

/** Rows as objects keyed by the header row; short rows get '' for missing columns. */
export function parseCsvObjects(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((fields) => {
    const obj: Record<string, string> = {};
    header.forEach((name, k) => {
      obj[name] = fields[k] ?? '';
    });
    return obj;
  });
}

/** The CFPB columns the simulator uses. */
export interface CfpbComplaint {
  complaintId: string;
  /** as in the file, e.g. "2019/9/24" */
  dateReceived: string;
  product: string;
  subProduct: string;
  issue: string;
  subIssue: string;
  /** '' for the ~3/4 of rows without a published narrative */
  narrative: string;
  state: string;
  submittedVia: string;
  companyResponse: string;
  timely: boolean;
  /** 'Yes' | 'No' | 'N/A' (the field was retired in 2017, so mostly 'N/A') */
  disputed: string;
  /** CFPB's own tags: '', 'Servicemember', 'Older American', ... */
  tags: string;
}

const REQUIRED = ['Complaint ID', 'Date received', 'Product'] as const;

export function toComplaints(rows: Array<Record<string, string>>): CfpbComplaint[] {
  const out: CfpbComplaint[] = [];
  for (const r of rows) {
    if (REQUIRED.some((k) => !r[k])) continue;
    out.push({
      complaintId: (r['Complaint ID'] ?? '').trim(),
      dateReceived: (r['Date received'] ?? '').trim(),
      product: (r['Product'] ?? '').trim(),
      subProduct: (r['Sub-product'] ?? '').trim(),
      issue: (r['Issue'] ?? '').trim(),
      subIssue: (r['Sub-issue'] ?? '').trim(),
      narrative: r['Consumer complaint narrative'] ?? '',
      state: (r['State'] ?? '').trim(),
      submittedVia: (r['Submitted via'] ?? '').trim(),
      companyResponse: (r['Company response to consumer'] ?? '').trim(),
      timely: (r['Timely response?'] ?? '').trim() !== 'No',
      disputed: (r['Consumer disputed?'] ?? '').trim() || 'N/A',
      tags: (r['Tags'] ?? '').trim(),
    });
  }
  return out;
}

/** Reads the CFPB sample; rows without id, date or product are skipped. */
export function loadCfpb(path: string): CfpbComplaint[] {
  return toComplaints(parseCsvObjects(readFileSync(path, 'utf8')));
}

/**
 * Where the CFPB sample is: $CFPB_CSV, else data/cfpb/ in the repository, else the shared data
 * folder beside the repository. Undefined when neither default exists.
 *
 * A set CFPB_CSV is the operator's choice of file: when it names no file this throws instead of
 * falling back, because a silent fallback would run the demo on data the operator did not mean.
 */
export function findCfpbCsv(env: NodeJS.ProcessEnv = process.env, defaults = cfpbCsvDefaults()): string | undefined {
  const chosen = env.CFPB_CSV;
  if (chosen) {
    if (!existsSync(chosen)) throw new CfpbCsvNotFound(`CFPB_CSV names ${chosen}, which does not exist (unset CFPB_CSV to use the default sample)`);
    if (!statSync(chosen).isFile()) throw new CfpbCsvNotFound(`CFPB_CSV names ${chosen}, which is not a file`);
    return chosen;
  }
  return defaults.find((p) => existsSync(p));
}

/** Where the sample is looked for without CFPB_CSV: the repository's data/, then ../shared beside it. */
function cfpbCsvDefaults(): string[] {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return [join(repo, 'data', 'cfpb', 'complaints.csv'), join(repo, '..', 'shared', 'data', 'cfpb', 'complaints.csv')];
}

/**
 * The sample, or an error that says what it is, where it was looked for and how to give it: the
 * demo and the simulator's tests need it, and it is not in the repository (audit V D3: a clone
 * without ../shared failed at import with a bare ENOENT).
 */
export function requireCfpbCsv(env: NodeJS.ProcessEnv = process.env, defaults = cfpbCsvDefaults()): string {
  const found = findCfpbCsv(env, defaults);
  if (found) return found;
  throw new CfpbCsvNotFound(
    `the CFPB complaint sample (complaints.csv) is not in the repository and was not found at ${defaults.join(' or ')}: ` +
      'copy it there or set CFPB_CSV to it (README, "The CFPB sample")',
  );
}

/** CFPB_CSV is set but names no readable file. */
export class CfpbCsvNotFound extends Error {
  override name = 'CfpbCsvNotFound';
}
