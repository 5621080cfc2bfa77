import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { logEmbeddedBroker } from './nats-connect.ts';
import { natsSecurityFromEnv } from './nats-options.ts';
import { embeddedBrokerAuth, natsServerConfig, natsServerConfigFile, writeNatsServerConfig } from './natsd-config.ts';
import { freePort, startLocalNats } from './natsd.ts';

// The monitor's own broker (embedded mode) requires the credentials NATS_* give the monitor, from
// a 0600 configuration file, not from its command line (audit C4: it accepted anyone). The whole
// monitor on it: tests/e2e/embedded-auth.test.ts.

const base = { port: 4222, storeDir: '/data/nats', pidFile: '/data/nats/nats-server.pid' };

describe('natsd-config - what the embedded broker requires', () => {
  it('user and password, or a token, as the monitor is given them; nothing without', () => {
    expect(embeddedBrokerAuth(natsSecurityFromEnv({ NATS_USER: 'mon', NATS_PASSWORD: 'pw' }))).toEqual({ authorization: { user: 'mon', password: 'pw' }, notEnforced: [] });
    expect(embeddedBrokerAuth(natsSecurityFromEnv({ NATS_TOKEN: 'tok' }))).toEqual({ authorization: { token: 'tok' }, notEnforced: [] });
    expect(embeddedBrokerAuth(natsSecurityFromEnv({}))).toEqual({ notEnforced: [] });
  });

  it('TLS, an nkey or a creds file it cannot enforce: named, so the start warns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-natsd-config-'));
    try {
      const creds = join(dir, 'u.creds');
      writeFileSync(creds, 'x');
      expect(embeddedBrokerAuth(natsSecurityFromEnv({ NATS_CREDS_FILE: creds })).notEnforced).toEqual(['the creds file (NATS_CREDS_FILE)']);
      expect(embeddedBrokerAuth(natsSecurityFromEnv({ NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_TLS: '1' }))).toEqual({
        authorization: { user: 'u', password: 'p' },
        notEnforced: [expect.stringMatching(/^TLS/)],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a password or token nats-server would take for a bcrypt hash is refused at start', () => {
    expect(() => embeddedBrokerAuth(natsSecurityFromEnv({ NATS_USER: 'u', NATS_PASSWORD: '$2a$11$abc' }))).toThrow(/^NATS_PASSWORD: starts with "\$2"/);
    expect(() => embeddedBrokerAuth(natsSecurityFromEnv({ NATS_TOKEN: '$2b$x' }))).toThrow(/^NATS_TOKEN: /);
  });
});

describe('natsd-config - the configuration file', () => {
  it('holds what the command line held (loopback, port, store, pid file) and the authorization, quoted', () => {
    const text = natsServerConfig({ ...base, authorization: { user: 'mon', password: 'a"b\\c $HOME #x' } });
    expect(text).toContain('listen: "127.0.0.1:4222"');
    expect(text).toContain('jetstream { store_dir: "/data/nats" }');
    expect(text).toContain('pid_file: "/data/nats/nats-server.pid"');
    expect(text).toContain('authorization { user: "mon", password: "a\\"b\\\\c $HOME #x" }');
    expect(natsServerConfig({ ...base, authorization: { token: 't' } })).toContain('authorization { token: "t" }');
    expect(natsServerConfig(base)).not.toContain('authorization');
  });

  it('is written readable by its owner only, also over a wider file left there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-natsd-config-'));
    try {
      const file = natsServerConfigFile(dir);
      writeFileSync(file, 'old');
      chmodSync(file, 0o644);
      writeNatsServerConfig(file, 'new');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toBe('new');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('natsd-config - the start\'s log', () => {
  const logged = (env: NodeJS.ProcessEnv) => {
    const lines: { level: string; fields: object; msg: string }[] = [];
    const log = {
      info: (fields: object | string, msg?: string) => void lines.push({ level: 'info', fields: fields as object, msg: msg ?? '' }),
      warn: (fields: object | string, msg?: string) => void lines.push({ level: 'warn', fields: fields as object, msg: msg ?? '' }),
    };
    const security = natsSecurityFromEnv(env);
    logEmbeddedBroker(log, 'nats://127.0.0.1:4222', security, embeddedBrokerAuth(security));
    return lines;
  };

  it('without credentials: says the broker accepts any local client, a trial setting, and how to secure one', () => {
    const [line, ...more] = logged({});
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'info', fields: { auth: 'none' } });
    expect(line!.msg).toMatch(/accepts any local client \(127\.0\.0\.1, no authentication\): a trial setting.*NATS_URL/);
  });

  it('with a password: says it is required, never the password', () => {
    const lines = logged({ NATS_USER: 'mon', NATS_PASSWORD: 'Very-Secret-9' });
    expect(lines).toEqual([{ level: 'info', fields: { natsUrl: 'nats://127.0.0.1:4222', auth: 'user-password' }, msg: expect.stringMatching(/requires the monitor's NATS_USER\/NATS_PASSWORD/) }]);
    expect(JSON.stringify(lines)).not.toContain('Very-Secret-9');
  });

  it('with TLS: one warning that the broker runs without it, and how to run a secured one', () => {
    const warnings = logged({ NATS_TOKEN: 'tok', NATS_TLS: '1' }).filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/runs without TLS .*set NATS_URL/);
  });
});

describe('natsd-config - a real broker started from it', () => {
  it('with a token: an anonymous client is refused, one with the token gets in; the token is not on the command line', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'cewm-natsd-config-'));
    const token = 'Tok-"$x\\-4711';
    const nats = await startLocalNats({ storeDir, port: await freePort(), embedded: { authorization: { token } } });
    try {
      await expect(connect({ servers: nats.url })).rejects.toThrow(/Authorization Violation/);
      const nc = await connect({ servers: nats.url, token });
      await nc.close();
      expect(readFileSync(`/proc/${nats.process.pid}/cmdline`, 'utf8')).not.toContain('Tok-');
      expect(statSync(natsServerConfigFile(storeDir)).mode & 0o777).toBe(0o600);
    } finally {
      await nats.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('reads back a store an earlier version wrote with the broker on command-line flags', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'cewm-natsd-config-'));
    const port = await freePort();
    try {
      const before = await startLocalNats({ storeDir, port });
      let nc = await connect({ servers: before.url });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] });
      await jetstream(nc).publish('kept.a', 'x');
      await nc.close();
      await before.stop();
      const after = await startLocalNats({ storeDir, port, embedded: { authorization: { user: 'u', password: 'p' } } });
      try {
        nc = await connect({ servers: after.url, user: 'u', pass: 'p' });
        expect((await (await jetstreamManager(nc)).streams.info('KEPT')).state.messages).toBe(1);
        await nc.close();
      } finally {
        await after.stop();
      }
    } finally {
      rmSync(storeDir, { recursive: true, force: true });
    }
  }, 30_000);
});
