import { describe, expect, it } from 'vitest';
import { MAX_WAIT_MS, MIN_GAP_MS, nextLookAt, QUIET_MS } from './follow.ts';

// When the monitor looks again at the stored reviews after batches that changed the past.

describe('weekly review - following changes', () => {
  it('looks once the changes have gone quiet, at most MAX_WAIT_MS after the first, never twice within MIN_GAP_MS', () => {
    const never = Number.NEGATIVE_INFINITY;
    expect(nextLookAt(1_000, 1_000, never)).toBe(1_000 + QUIET_MS);
    // a back-fill still arriving postpones the look ...
    expect(nextLookAt(1_000, 20_000, never)).toBe(20_000 + QUIET_MS);
    // ... but not past the longest wait
    expect(nextLookAt(1_000, 1_000 + MAX_WAIT_MS, never)).toBe(1_000 + MAX_WAIT_MS);
    // right after a look, the next waits for the gap
    expect(nextLookAt(1_000, 1_000, 900)).toBe(900 + MIN_GAP_MS);
    expect(nextLookAt(100_000, 100_000, 1_000)).toBe(100_000 + QUIET_MS);
  });
});
