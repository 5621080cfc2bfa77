import { processAlive } from './natsd.ts';

// The counting lease's timings and exit code, and the shapes its holder (lease.ts) reports.

export const LEASE_RENEW_MS = 5_000;
/** a holder that stops renewing (SIGKILL, a lost host) frees the lease after this long */
export const LEASE_TTL_MS = 3 * LEASE_RENEW_MS;
/** EX_TEMPFAIL: another monitor counts; a restart policy tries again later */
export const LEASE_EXIT_CODE = 75;
/** a refused monitor shows why in /api/health this long, then exits (and a restart policy retries) */
export const LEASE_REFUSED_GRACE_MS = 10_000;

export type LeaseState = 'waiting' | 'held' | 'refused' | 'lost';
export interface LeaseEnd {
  state: 'refused' | 'lost';
  message: string;
  /** how long the process may still answer (health) before it exits with LEASE_EXIT_CODE */
  graceMs: number;
}

export interface LeaseOptions {
  renewMs: number;
  ttlMs: number;
  refusedGraceMs: number;
  aliveHere: (pid: number) => boolean;
  now: () => number;
}

/** The options a lease runs with: the timings above, this host's processes and the wall clock, unless given. */
export function leaseOptions(given: Partial<LeaseOptions>): LeaseOptions {
  return {
    renewMs: LEASE_RENEW_MS,
    ttlMs: LEASE_TTL_MS,
    refusedGraceMs: LEASE_REFUSED_GRACE_MS,
    aliveHere: processAlive,
    now: Date.now,
    ...given,
  };
}
