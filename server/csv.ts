// CSV for people who open it in Excel: a byte-order mark (Excel on Windows reads Chinese without
// one as the local code page), CRLF lines, and cells quoted when they hold a separator or begin
// like a formula (=, +, -, @: a cell of a spreadsheet must not run as one).

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function excelCsv(head: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return `\uFEFF${[head.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\r\n')}\r\n`;
}
