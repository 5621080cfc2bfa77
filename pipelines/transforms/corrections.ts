import type { Outcome } from '../model.ts';
import { flat } from './string-ids.ts';

// What the counters keep of a ticket beside its first contacts, and which fact wins:
// - a person's correction (kind corrected): the latest by (occurredAtMs, eventId) decides type and
//   branch, the latest carrying an outcome the outcome, so a repeat never beats what it repeats;
// - the classification of an `unclassified` ticket: the most confident of all its events reported
//   `unclassified`, ties to the greater eventId, whatever their kinds and arrival order. It types
//   only first contacts reported `unclassified`, and only while no correction re-types the ticket.

/** outcome codes: 0 none, 1 agreed, 2 not agreed */
export const NOT_AGREED = 2;
export const outcomeCode = (o: Outcome | undefined): number => (o === undefined ? 0 : o === 'not_agreed' ? NOT_AGREED : 1);

export interface Stamp { readonly t: number; readonly id: string }
export interface Retype extends Stamp { readonly type: number; readonly branch: number }
export interface Reoutcome extends Stamp { readonly outcome: number }
/** confidence in integer thousandths: the classifier's precision, and what the store's Float32
 *  gives back exactly, so a rebuild compares what the live path compared */
export interface Classified { readonly confidence: number; readonly id: string; readonly type: number }
export interface Corrections { readonly retype?: Retype; readonly reoutcome?: Reoutcome; readonly classified?: Classified }
/** a first contact's type, branch and outcome once its ticket's corrections apply */
export interface Effective { type: number; branch: number; outcome: number }

export function isNewer(t: number, id: string, b: Stamp | undefined): boolean {
  return b === undefined || t > b.t || (t === b.t && id > b.id);
}

/** A classifier confidence (0..1) in integer thousandths, clamped; not a number counts as 0. */
export function thousandths(confidence: number): number {
  const c = Math.round(confidence * 1000);
  return c > 0 ? Math.min(c, 1000) : 0;
}

export function isMoreConfident(confidence: number, id: string, b: Classified | undefined): boolean {
  return b === undefined || confidence > b.confidence || (confidence === b.confidence && id > b.id);
}

/** The first contact's facts (type, branch, outcome codes) under its ticket's corrections;
 *  `unclassified` is the interned name of a first contact reported `unclassified`. */
export function effectiveOf(c: Corrections | undefined, type: number, branch: number, outcome: number, unclassified: number): Effective {
  return {
    type: c?.retype?.type ?? (type === unclassified ? (c?.classified?.type ?? type) : type),
    branch: c?.retype?.branch ?? branch,
    outcome: c?.reoutcome?.outcome ?? outcome,
  };
}

/** The ticket's facts with a correction added, or undefined when it wins nothing (older, or a
 *  repeat); names() interns its type and branch, asked only when it wins. */
export function withCorrection(before: Corrections | undefined, t: number, eventId: string, names: () => [type: number, branch: number], outcome: Outcome | undefined): Corrections | undefined {
  let retype = before?.retype, reoutcome = before?.reoutcome;
  if (isNewer(t, eventId, retype)) {
    const [type, branch] = names();
    retype = { t, id: flat(eventId), type, branch };
  }
  if (outcome !== undefined && isNewer(t, eventId, reoutcome)) reoutcome = { t, id: retype?.id === eventId ? retype.id : flat(eventId), outcome: outcomeCode(outcome) };
  if (retype === before?.retype && reoutcome === before?.reoutcome) return undefined;
  return { retype, reoutcome, classified: before?.classified };
}

/** The ticket's facts with a classification added, or undefined when it is not the most
 *  confident (or a repeat). */
export function withClassification(before: Corrections | undefined, eventId: string, confidence: number, type: () => number): Corrections | undefined {
  const c = thousandths(confidence);
  if (!isMoreConfident(c, eventId, before?.classified)) return undefined;
  return { ...before, classified: { confidence: c, id: flat(eventId), type: type() } };
}

/** A time that is not a number must still order deterministically (NaN compares false). */
export function timeOf(t: number): number {
  return Number.isNaN(t) ? -Infinity : t;
}
