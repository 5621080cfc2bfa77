// The simulator as `npm run demo` runs it: the year so far in about 20 seconds (the wall shows the
// year's watches, breaches and strict cases within a minute), then the rest of the year's tickets
// at their own times, a real day's pace for the day of the year (scripts/simulator/replay.ts
// atOwnTimes). Not at a rate stamped "now": that poured a year of tickets into every 48 minutes
// and turned the wall red within the hour (an audit), and with the same seed a second run re-sent
// the first run's ids, all folded, while the wall said 实时.
// The invalid payloads (for the dead-letter banner) only on a first run: a continued one would add
// the same 36 again.
export function demoSimulatorArgs(natsUrl: string, year: number, opts: { invalidPayloads: boolean }): string[] {
  return [
    'scripts/simulator/cli.ts', '--nats', natsUrl, '--year', String(year), '--timezone', 'Asia/Shanghai',
    '--backfill', '--replay-seconds', '20', '--real-time', '--duplicates', '0.02', ...(opts.invalidPayloads ? ['--bad'] : []),
  ];
}
