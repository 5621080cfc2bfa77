// ClickHouse's DateTime64(3, 'UTC') as text, both ways: the one literal every input format and
// query parameter accepts ('2026-03-01 02:00:00.000'), and back to epoch milliseconds.

/** epoch milliseconds → '2026-03-01 02:00:00.000' (UTC) */
export const chTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

/** chTime's text (as ClickHouse returns a DateTime64 in JSON) → epoch milliseconds */
export const chTimeMs = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);
