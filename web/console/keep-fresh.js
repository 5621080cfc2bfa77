// The console's reads of the classification queue. Read once at load and then each minute, a page
// opened during a burst showed the queue as it was before the burst for a minute.
// Now the next read comes soon while the answers keep changing, and slows to once a minute when
// they stop; `soon()` asks for an early read (the console's /ws says the pipeline stored a batch),
// never sooner than `soonMs` after the last, so a busy pipeline does not multiply the reads.

/**
 * Calls `read` now and then again and again; `read` resolves to a text that changes when the
 * answer does (null: it failed, try again at the quiet pace).
 */
export function keepFresh(read, { soonMs = 5_000, quietMs = 60_000 } = {}) {
  let last;
  let timer;
  let dueAt = Infinity;
  let lastReadAt = -Infinity;
  let reading = false;
  let askedWhileReading = false;

  const schedule = (ms) => {
    clearTimeout(timer);
    dueAt = performance.now() + ms;
    timer = setTimeout(run, ms);
  };

  async function run() {
    dueAt = Infinity;
    reading = true;
    lastReadAt = performance.now();
    let changed = false;
    try {
      const signature = await read();
      changed = signature !== null && signature !== last;
      if (signature !== null) last = signature;
    } catch { /* read says its own errors; the next read is at the quiet pace */ }
    reading = false;
    schedule(changed || askedWhileReading ? soonMs : quietMs);
    askedWhileReading = false;
  }

  run();
  return {
    soon() {
      if (reading) { askedWhileReading = true; return; }
      const at = Math.max(performance.now(), lastReadAt + soonMs);
      if (at < dueAt) schedule(at - performance.now());
    },
  };
}
