import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.ts';
import type { NatsSecurity } from './nats-options.ts';
import { BROKER_STORE_CIPHER } from './broker-at-rest.ts';

// The monitor's own broker (embedded mode) asks for the credentials the monitor's client is given
// (audit C4: it accepted anyone, and the stream holds every customer's data in clear). They reach
// nats-server through a configuration file readable by the monitor's user only, never on its
// command line, which every local user sees in `ps`.

/** What the embedded broker requires of its clients; undefined: nothing (anyone on 127.0.0.1). */
export type BrokerAuthorization = { user: string; password: string } | { token: string };

export interface EmbeddedBrokerAuth {
  authorization?: BrokerAuthorization;
  /** what the monitor's client is given that the embedded broker does not enforce (nkey, creds, TLS) */
  notEnforced: string[];
}

/** nats-server reads a password or token starting with `$2` as a bcrypt hash, and would refuse the plain value */
const BCRYPT_PREFIX = '$2';

/** The embedded broker's side of the monitor's NATS_* settings. */
export function embeddedBrokerAuth(security: NatsSecurity): EmbeddedBrokerAuth {
  const { method, options } = security;
  const notEnforced = [
    ...(method === 'nkey' ? ['the nkey (NATS_NKEY_SEED_FILE)'] : []),
    ...(method === 'creds' ? ['the creds file (NATS_CREDS_FILE)'] : []),
    // the monitor's client then asks for TLS and is refused ("server does not support 'tls'")
    ...(security.tls ? ["TLS (NATS_TLS*: the monitor's client, asking for it, cannot connect to it)"] : []),
  ];
  if (method === 'user-password') {
    if (options.pass!.startsWith(BCRYPT_PREFIX)) throw new ConfigError('NATS_PASSWORD', `starts with "${BCRYPT_PREFIX}", which the monitor's own nats-server reads as a bcrypt hash: choose another, or set NATS_URL`);
    return { authorization: { user: options.user!, password: options.pass! }, notEnforced };
  }
  if (method === 'token') {
    if (options.token!.startsWith(BCRYPT_PREFIX)) throw new ConfigError('NATS_TOKEN', `starts with "${BCRYPT_PREFIX}", which the monitor's own nats-server reads as a bcrypt hash: choose another, or set NATS_URL`);
    return { authorization: { token: options.token! }, notEnforced };
  }
  return { notEnforced };
}

/** A string in nats-server's configuration syntax: JSON's quoting (checked against nats-server: `"`, `\`, `$`, `#`, tabs, any Unicode) */
const quoted = (s: string) => JSON.stringify(s);

/**
 * The embedded broker's whole configuration: what the command line gave before (`-js -a
 * 127.0.0.1 -p … -sd … -P …`; the store is the same directory, so a store written under the flags
 * is read back as it was), the authorization, when there is one, and the store's key at rest
 * (broker-at-rest.ts).
 */
export function natsServerConfig(o: { port: number; storeDir: string; pidFile: string; authorization?: BrokerAuthorization; storeKey?: string }): string {
  const auth = o.authorization;
  const atRest = o.storeKey === undefined ? '' : `, key: ${quoted(o.storeKey)}, cipher: ${quoted(BROKER_STORE_CIPHER)}`;
  return [
    '# The complaint monitor\'s own nats-server (embedded mode), written at each of its starts: edits are lost.',
    `listen: ${quoted(`127.0.0.1:${o.port}`)}`,
    `pid_file: ${quoted(o.pidFile)}`,
    `jetstream { store_dir: ${quoted(o.storeDir)}${atRest} }`,
    ...(auth === undefined ? [] : 'token' in auth
      ? [`authorization { token: ${quoted(auth.token)} }`]
      : [`authorization { user: ${quoted(auth.user)}, password: ${quoted(auth.password)} }`]),
    '',
  ].join('\n');
}

export const natsServerConfigFile = (storeDir: string) => join(storeDir, 'nats-server.conf');

/**
 * Writes the file readable and writable by this user only (0600 from its creation: a new file
 * under another name, renamed over the old one, so no reader ever sees it wider or half written).
 */
export function writeNatsServerConfig(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
}
