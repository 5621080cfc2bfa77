// How the console writes a time. The server sends times in the plan's zone (ISO text with its
// offset); a supervisor reads "11-27 14:50" as a time of this year on their own clock, so the year
// is written when it is another, and the offset when the plan's zone is not the viewer's (a
// New York plan read in Shanghai; also both 01:30s of a day the clocks go back). The wall names
// its zone the same way.

/** What the console knows about time: the plan's zone, this year in it, and whether to write offsets. */
export function timeContext(planZone, nowMs, viewerZone) {
  const zone = planZone || viewerZone;
  return { zone, thisYear: Number(isoInZone(nowMs, zone).slice(0, 4)), showOffset: Boolean(planZone) && planZone !== viewerZone };
}

/** The viewer's own zone, as the browser says it. */
export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const ISO = /^(\d{4})-(\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/;

/** "11-27 14:50", "2025-11-27 14:50" in another year, "11-27 14:50 UTC-05:00" when the zone is not the viewer's. */
export function timeText(iso, ctx = {}) {
  if (!iso) return '';
  const m = ISO.exec(iso);
  if (!m) return String(iso);
  const [, year, monthDay, hourMinute, offset] = m;
  const day = ctx.thisYear !== undefined && Number(year) !== ctx.thisYear ? `${year}-${monthDay}` : monthDay;
  return `${day} ${hourMinute}${ctx.showOffset && offset ? ` UTC${offset === 'Z' ? '' : offset}` : ''}`;
}

const parts = new Map();
/** An instant as ISO text in a zone with its offset ("2026-11-27T14:50:00+08:00"), as the server writes it. */
export function isoInZone(ms, zone) {
  let f = parts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' });
    parts.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName.slice(3);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}
