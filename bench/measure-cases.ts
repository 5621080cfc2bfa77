// Memory of the alert engine's ticket book, before (the reference book) and after (TicketBook):
// bytes held per ticket after a GC, and bytes per duplicate delivery of events already applied.
//   flock /tmp/bench.lock node --expose-gc --import tsx bench/measure-cases.ts [tickets] [uuid|ticket] [both|after]
// Id shapes: `uuid` (36 characters) or `ticket` (the simulator's `<ticketId>-<n>-s<seed>`).
import type { MaskedEvent } from '../pipelines/model.ts';
import { TicketBook } from '../pipelines/rules/cases.ts';
import { ReferenceTicketBook } from '../pipelines/rules/cases-reference.ts';

const N = Number(process.argv[2] ?? 200_000);
const IDS = process.argv[3] ?? 'uuid';
const WHICH = process.argv[4] ?? 'both';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const held = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const START = Date.UTC(2025, 0, 1);
const TYPES = ['insurance', 'mortgage', 'card', 'wealth'];
const BRANCHES = ['BJ', 'BJ-HD', 'SH', 'GZ', 'SZ'];

// Ids as the pipeline sees them: fresh flat strings from JSON.parse, UUID-shaped event ids; the
// same ids again for the duplicate deliveries (equal strings, not the same objects).
const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const uuid = (i: number, k: number) => {
  const h = hex(Math.imul(i + 1, 0x9e3779b1) ^ k);
  return JSON.parse(`"${h}-${hex(i).slice(0, 4)}-4${hex(k).slice(5)}-8${h.slice(1, 4)}-${hex(i)}${h.slice(0, 4)}"`) as string;
};
function ticketEvents(i: number): MaskedEvent[] {
  const t0 = START + ((i * 7919) % 300) * 86_400_000 + (i % 86_400_000);
  const base = { ticketId: JSON.parse(`"TK-${i}"`) as string, occurredAt: '', branch: BRANCHES[i % 5]!, complaintType: TYPES[i % 4]!, reportedType: '', customerHash: '', customerMasked: {} };
  const id = [0, 1, 2, 3].map((k) => (IDS === 'uuid' ? uuid(i, k) : (JSON.parse(`"TK-${i}-${k + 1}-s1"`) as string)));
  const events: MaskedEvent[] = [
    { ...base, eventId: id[0]!, kind: 'opened', occurredAtMs: t0 },
    { ...base, eventId: id[1]!, kind: 'first_contact', occurredAtMs: t0 + 3_600_000, outcome: i % 100 < 35 ? 'not_agreed' : 'agreed' },
    { ...base, eventId: id[2]!, kind: 'resolved', occurredAtMs: t0 + 86_400_000, outcome: i % 10 < 8 ? 'agreed' : 'not_agreed' },
  ];
  if (i % 4 === 0) events.push({ ...base, eventId: id[3]!, kind: 'escalated', occurredAtMs: t0 + 7_200_000, escalation: 'mediation' });
  return events;
}
const eventCount = (n: number) => 3 * n + Math.ceil(n / 4);

function feed(book: { apply(events: MaskedEvent[]): unknown }) {
  for (let from = 0; from < N; from += 1_000) {
    const batch: MaskedEvent[] = [];
    for (let i = from; i < Math.min(N, from + 1_000); i++) batch.push(...ticketEvents(i));
    book.apply(batch);
  }
}

function measure(name: string, make: () => { apply(events: MaskedEvent[]): unknown }) {
  const before = held();
  const book = make();
  feed(book);
  const afterTickets = held();
  feed(book); // every event delivered again
  feed(book); // and again
  const afterDuplicates = held();
  if (!book) throw new Error('unreachable'); // keeps the book alive past the measurement
  const perTicket = Math.round((afterTickets - before) / N);
  const perDuplicate = ((afterDuplicates - afterTickets) / (2 * eventCount(N))).toFixed(2);
  console.log(`${name}: ${perTicket} B per ticket (${(eventCount(N) / N).toFixed(2)} events each, ${IDS} ids), ${perDuplicate} B per duplicate event`);
}

if (WHICH === 'both') measure('before (reference book)', () => new ReferenceTicketBook());
measure('after  (TicketBook)    ', () => new TicketBook());
