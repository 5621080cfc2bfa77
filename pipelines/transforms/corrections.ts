import type { Outcome } from '../model.ts';

// What the counters keep of a ticket's corrections, and which correction wins: the latest by
// (occurredAtMs, eventId), so a repeat never beats the correction it repeats.

/** outcome codes: 0 none, 1 agreed, 2 not agreed */
export const NOT_AGREED = 2;
export const outcomeCode = (o: Outcome | undefined): number => (o === undefined ? 0 : o === 'not_agreed' ? NOT_AGREED : 1);

export interface Stamp { readonly t: number; readonly id: string }
export interface Retype extends Stamp { readonly type: number; readonly branch: number }
export interface Reoutcome extends Stamp { readonly outcome: number }
export interface Corrections { readonly retype?: Retype; readonly reoutcome?: Reoutcome }
/** a first contact's type, branch and outcome once its ticket's corrections apply */
export interface Effective { type: number; branch: number; outcome: number }

export function isNewer(t: number, id: string, b: Stamp | undefined): boolean {
  return b === undefined || t > b.t || (t === b.t && id > b.id);
}

/** A time that is not a number must still order deterministically (NaN compares false). */
export function timeOf(t: number): number {
  return Number.isNaN(t) ? -Infinity : t;
}
