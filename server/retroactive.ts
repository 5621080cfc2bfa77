import type { MaskedEvent } from '../pipelines/model.ts';
import { weekIndexAt, type Week } from '../pipelines/plan/calendar.ts';

/**
 * Whether a batch changed the past of the curves (so the wall needs whole series, not just the
 * current week's point): a correction, or an event dated before the week that holds `asOfMs`.
 * Once the plan year has ended every week of it is past, so any event of the year is; an audit
 * saw late first contacts in January move the figures and leave the curve as it was.
 */
export function changesThePast(weeks: readonly Week[], events: readonly Pick<MaskedEvent, 'kind' | 'occurredAtMs'>[], asOfMs: number): boolean {
  const i = weekIndexAt(weeks, asOfMs);
  // before the year nothing of it is past; after it, all of it
  const pastBefore = i < 0 ? Number.NEGATIVE_INFINITY : i >= weeks.length ? weeks[weeks.length - 1]!.endMs : weeks[i]!.startMs;
  return events.some((e) => e.kind === 'corrected' || e.occurredAtMs < pastBefore);
}
