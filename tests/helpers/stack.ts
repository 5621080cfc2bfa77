import { afterAll, beforeAll } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import { ROOT, startMonitor, type MonitorEnv, type MonitorProcess } from './monitor-process.ts';
import { startTestNats, type TestNats } from './nats.ts';

// The set-up most end-to-end files share: a real nats-server on a free port, a connection to it,
// and the monitor process on the 2025 test plan, stopped after the file.

export const PLAN_2025 = join(ROOT, 'tests/fixtures/plan-2025.yaml');

export interface LiveStack {
  nats: TestNats;
  nc: NatsConnection;
  /** a test may replace it (a restart on the same DATA_DIR); the replacement is stopped too */
  monitor: MonitorProcess;
  /** starts the monitor again on the same data directory and broker, with the same settings */
  restart(): Promise<MonitorProcess>;
}

/** Registers the file's beforeAll/afterAll; the returned object is filled before the file's own beforeAll runs. */
export function liveStack(env: Omit<MonitorEnv, 'NATS_URL'> = {}): LiveStack {
  const s = {} as LiveStack;
  const settings = () => ({ PLAN: PLAN_2025, ...env, NATS_URL: s.nats.url });
  s.restart = async () => {
    await s.monitor.kill();
    return (s.monitor = await startMonitor({ ...settings(), DATA_DIR: s.monitor.dataDir }));
  };
  beforeAll(async () => {
    s.nats = await startTestNats();
    s.nc = await s.nats.connect();
    s.monitor = await startMonitor(settings());
  }, 120_000);
  afterAll(async () => {
    await s.monitor?.kill();
    await s.nc?.close();
    await s.nats?.cleanup();
  });
  return s;
}
