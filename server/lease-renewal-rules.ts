// A holder's renewals that do not confirm the lease (server/lease.ts): refused, unanswered, the
// broker's JetStream without a leader, or a lease stream that contradicts itself. The pure
// bookkeeping of how long that has lasted, whether the lease is kept or lost, and the reason
// health shows. Re-exported by lease-rules.ts, beside the rules of taking and renewing.

/** Since when renewals have been refused by a broker that answers, or gone unanswered (a hung broker). */
export interface RenewalTrouble {
  refusedSinceMs?: number;
  unansweredSinceMs?: number;
  /** the last failure was the broker's JetStream saying it has no leader (a quorum lost) */
  noLeader?: boolean;
  /** since when the lease stream has answered "no record" for a subject it counts messages on, and its words */
  inconsistent?: { sinceMs: number; why: string };
}

/** A renewal round that failed, other than on a wrong sequence. */
export interface RenewalFailure {
  /** the broker connection is up */
  connected: boolean;
  /** the broker answered, refusing (lease-stream.ts isBrokerAnswer); counts only while connected */
  answered: boolean;
  /** the broker's JetStream has no leader ("temporarily unavailable", lease-stream.ts isNoJetStreamLeader) */
  noLeader?: boolean;
  nowMs: number;
  ttlMs: number;
}

/**
 * The bookkeeping of a failed renewal. With the connection down nothing is asked, so a run of
 * refusals ends. A broker that answers yet refuses for a whole lifetime may have let another
 * monitor take the lease: it is lost (`lostAfterMs`: refused this long). No answer (a hung broker
 * keeps its connections open) is no sign of another holder, since nobody can take the lease from a
 * broker that answers no one: it is kept and asked again (the timer queues the next request behind
 * this one, answered as the broker resumes); it neither starts nor ends a run of refusals. A
 * JetStream without a leader (two of three servers down) is no answer either: no monitor can
 * write the lease to it, so it is kept and resumes by itself with the quorum.
 */
export function afterRenewalFailure(
  trouble: RenewalTrouble,
  { connected, answered, noLeader, nowMs, ttlMs }: RenewalFailure,
): { trouble: RenewalTrouble; warning: string; lostAfterMs?: number } {
  const refused = connected && answered && !noLeader;
  const refusedSinceMs = !connected ? undefined : refused ? (trouble.refusedSinceMs ?? nowMs) : trouble.refusedSinceMs;
  const unansweredSinceMs = connected && !refused ? (trouble.unansweredSinceMs ?? nowMs) : trouble.unansweredSinceMs;
  const warning = refused
    ? 'counting lease renewal refused by the broker; will retry'
    : connected && noLeader
      ? 'counting lease renewal not possible: the broker\'s JetStream has no leader (quorum lost); asked again (nobody can take the lease meanwhile)'
      : 'counting lease renewal not answered; asked again (no sign of another holder)';
  const refusedMs = refusedSinceMs === undefined ? undefined : nowMs - refusedSinceMs;
  const lost = refusedMs !== undefined && refusedMs >= ttlMs ? { lostAfterMs: refusedMs } : {};
  const kept = { ...(connected && noLeader ? { noLeader: true } : {}), ...(trouble.inconsistent ? { inconsistent: trouble.inconsistent } : {}) };
  return { trouble: { refusedSinceMs, unansweredSinceMs, ...kept }, warning, ...lost };
}

/** Asked of the lease stream's leader at most once per lease lifetime: a step-down makes a new leader rebuild its per-subject state. */
export function mayAskStepDown(lastAskedAtMs: number | undefined, nowMs: number, ttlMs: number): boolean {
  return lastAskedAtMs === undefined || nowMs - lastAskedAtMs >= ttlMs;
}

/**
 * A holder's renewal that found the lease stream inconsistent (lease-rules.ts
 * inconsistentEmptyRead): the lease is not taken again and stays unconfirmed, as for a broker
 * that does not answer, while the stream's leader is asked to step down. The broker answered, so
 * refusals and silence end. Still so a whole lifetime after it was first found, the lease is lost
 * (`lostAfterMs`): a holder that cannot confirm its lease cannot know nobody else counts.
 */
export function afterInconsistentRead(
  trouble: RenewalTrouble,
  { why, nowMs, ttlMs }: { why: string; nowMs: number; ttlMs: number },
): { trouble: RenewalTrouble; lostAfterMs?: number } {
  const sinceMs = trouble.inconsistent?.sinceMs ?? nowMs;
  const lasted = nowMs - sinceMs;
  return { trouble: { inconsistent: { sinceMs, why } }, ...(lasted >= ttlMs ? { lostAfterMs: lasted } : {}) };
}

/**
 * The trouble a renewal round that wrote every key leaves: none, except that a key taken again
 * (written as if no record were there) while the stream was inconsistent confirms nothing: the
 * inconsistency's clock runs on until a round reads this monitor's own record back. Reset by each
 * take, a stream alternating between the two kept a holder paused for minutes, never lost.
 */
export function afterWrittenRound(trouble: RenewalTrouble, takenAgain: boolean): RenewalTrouble {
  return takenAgain && trouble.inconsistent ? { inconsistent: trouble.inconsistent } : {};
}

/** Why a held lease is not confirmed now (health's reason): `refusal` the broker's answer, if it refuses. */
export function unconfirmedReason(
  connected: boolean,
  refusal: string | false | undefined,
  unanswered: boolean,
  found: Pick<RenewalTrouble, 'noLeader' | 'inconsistent'> = {},
): string {
  const refusing = refusal !== false && refusal !== undefined;
  const why = !connected
    ? 'broker away'
    : found.inconsistent
      ? `${found.inconsistent.why}; not taken again, the lease stream's leader asked to step down`
      : refusing
        ? `broker refusing the renewal (${refusal})`
        : found.noLeader
          ? 'the broker\'s JetStream has no leader (quorum lost: fewer than a majority of its servers up); nobody can take the lease meanwhile, it resumes by itself'
          : unanswered
            ? 'broker not answering'
            : 'renewal under way';
  return `counting lease unconfirmed: ${why}`;
}
