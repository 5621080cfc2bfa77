import { describe, expect, it } from 'vitest';
import { RenewalRounds, type IsStale } from './lease-rounds.ts';

// The renewal rounds' scheduling with rounds that settle when the test says: no broker, no timers.

function harness(held = true) {
  const started: Array<{ isStale: IsStale; finish: () => void }> = [];
  let mayRun = held;
  const rounds = new RenewalRounds(
    () => mayRun,
    (isStale) => new Promise<void>((finish) => started.push({ isStale, finish })),
  );
  return { rounds, started, setHeld: (h: boolean) => (mayRun = h) };
}

const settle = () => new Promise((r) => setImmediate(r));

/** A connection whose status the test pushes. */
function fakeConnection() {
  const queue: Array<{ type: string }> = [];
  let wake: (() => void) | undefined;
  return {
    push(type: string) {
      queue.push({ type });
      wake?.();
    },
    status() {
      return (async function* () {
        for (;;) {
          while (queue.length > 0) yield queue.shift()!;
          await new Promise<void>((r) => (wake = r));
        }
      })();
    },
  };
}

describe('lease renewal rounds - one at a time', () => {
  it('a round asked for while one is under way shares it, and one more runs after it', async () => {
    const { rounds, started } = harness();
    const first = rounds.run();
    expect(rounds.run()).toBe(first);
    expect(rounds.run()).toBe(first);
    expect(started).toHaveLength(1);
    started[0]!.finish();
    await first;
    await settle();
    expect(started).toHaveLength(2); // the asks during the first round: one more, not two
    started[1]!.finish();
    await settle();
    expect(started).toHaveLength(2);
  });

  it('runs nothing while the lease is not held, or while the broker is away', async () => {
    const { rounds, started, setHeld } = harness(false);
    await rounds.run();
    expect(started).toHaveLength(0);
    setHeld(true);
    rounds.connected = false;
    await rounds.run();
    expect(started).toHaveLength(0);
  });

  it('runAgain asks for another round right after the one under way', async () => {
    const { rounds, started } = harness();
    const first = rounds.run();
    rounds.runAgain();
    started[0]!.finish();
    await first;
    await settle();
    expect(started).toHaveLength(2);
  });
});

describe('lease renewal rounds - a fresh start', () => {
  it('starts a round at once, not queued behind the one under way, which becomes stale', async () => {
    const { rounds, started } = harness();
    const old = rounds.run();
    rounds.fresh();
    expect(started).toHaveLength(2);
    expect(started[0]!.isStale()).toBe(true);
    expect(started[1]!.isStale()).toBe(false);
    started[0]!.finish(); // the stale round ends late: the fresh one is still the one under way
    await old;
    await settle();
    expect(rounds.run()).not.toBe(old);
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await settle();
    expect(started).toHaveLength(3); // the ask during the fresh round
  });

  it('follows the connection: nothing while it is down, a fresh round at reconnection', async () => {
    const { rounds, started } = harness();
    const nc = fakeConnection();
    rounds.follow(nc as never);
    const hung = rounds.run();
    nc.push('disconnect');
    await settle();
    expect(rounds.connected).toBe(false);
    await rounds.run();
    expect(started).toHaveLength(1);
    nc.push('reconnect');
    await settle();
    expect(rounds.connected).toBe(true);
    expect(started).toHaveLength(2);
    expect(started[0]!.isStale()).toBe(true);
    expect(rounds.run()).not.toBe(hung);
  });
});
