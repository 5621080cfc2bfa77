import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { freePort, startLocalNats, stopChild, type LocalNats } from '../../server/natsd.ts';
import { freeze } from './freeze.ts';

// A real nats-server per test file, on a free port and its own store, that a test can kill and
// start again on the same port and store. With `auth`, the broker asks for a user and password
// (as a secured deployment's does), and `connect()` gives them. With `config`, the broker reads
// that configuration file text (users and their permissions, say); `configure()` rewrites it for
// the next start.

export interface TestNats {
  url: string;
  port: number;
  storeDir: string;
  connect(): Promise<NatsConnection>;
  /** SIGKILL: the broker dies without a goodbye */
  kill(): Promise<void>;
  /** SIGSTOP: the broker hangs with its connections open (a stalled disk, a paused VM); clients see no disconnect */
  pause(): Promise<void>;
  /** SIGCONT after pause() */
  resume(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** rewrites the configuration file (with `config`), read at the next start or reload */
  configure(text: string): void;
  /** SIGHUP: the running broker reads its configuration file again (users, permissions) */
  reload(): void;
  cleanup(): Promise<void>;
}

/** what nats-server says when its port was taken (tests/helpers/port-taken.test.ts holds it to the real one) */
export const PORT_TAKEN = /address already in use/i;

export async function startTestNats(opts: { auth?: { user: string; password: string }; config?: string } = {}): Promise<TestNats> {
  const storeDir = mkdtempSync(join(tmpdir(), 'cewm-nats-'));
  const configFile = join(storeDir, 'test-nats.conf');
  // JetStream named in the file too: a reload of a file without it shuts JetStream down
  const withJetStream = (text: string) => `${text}\njetstream { store_dir: ${JSON.stringify(storeDir)} }\n`;
  if (opts.config !== undefined) writeFileSync(configFile, withJetStream(opts.config));
  const extraArgs = [...(opts.auth ? ['--user', opts.auth.user, '--pass', opts.auth.password] : []), ...(opts.config !== undefined ? ['-c', configFile] : [])];
  const credentials = opts.auth ? { user: opts.auth.user, pass: opts.auth.password } : {};
  const storeDirInConfig = opts.config !== undefined;
  // a free port can be taken by another test file's process before the broker binds it: another then
  let port = 0;
  let server: LocalNats | undefined;
  for (let attempt = 1; !server; attempt++) {
    port = await freePort();
    server = await startLocalNats({ storeDir, port, extraArgs, storeDirInConfig }).catch((err: Error) => {
      if (attempt < 5 && PORT_TAKEN.test(err.message)) return undefined;
      throw err;
    });
  }
  const t: TestNats = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    connect: () => connect({ servers: t.url, maxReconnectAttempts: -1, reconnectTimeWait: 250, ...credentials }),
    kill: async () => {
      if (server) await stopChild(server.process, 'SIGKILL');
      server = undefined;
    },
    pause: () => freeze(server?.process.pid),
    resume: () => void server?.process.kill('SIGCONT'),
    start: async () => {
      server = await startLocalNats({ storeDir, port, extraArgs, storeDirInConfig });
    },
    stop: async () => {
      await server?.stop();
      server = undefined;
    },
    configure: (text) => writeFileSync(configFile, withJetStream(text)),
    reload: () => void process.kill(Number(readFileSync(join(storeDir, 'nats-server.pid'), 'utf8').trim()), 'SIGHUP'),
    cleanup: async () => {
      await t.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  return t;
}
