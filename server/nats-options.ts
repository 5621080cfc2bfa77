import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from '@nats-io/nats-core';
import { ConfigError } from './errors.ts';

// How the monitor authenticates to NATS and secures the link, from the environment. One method
// at a time; secrets are read here and never logged (describeNatsAuth says which method, not what).
//   NATS_USER + NATS_PASSWORD | NATS_TOKEN | NATS_NKEY_SEED_FILE | NATS_CREDS_FILE
//   NATS_TLS=1, NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE + NATS_TLS_KEY_FILE (client certificate)

export type NatsAuthMethod = 'none' | 'user-password' | 'token' | 'nkey' | 'creds';

export interface NatsSecurity {
  options: Pick<ConnectionOptions, 'user' | 'pass' | 'token' | 'authenticator' | 'tls'>;
  method: NatsAuthMethod;
  tls: boolean;
}

function readSecretFile(variable: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function natsSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): NatsSecurity {
  const has = (k: string) => (env[k] ?? '') !== '';
  const methods = [
    has('NATS_USER') || has('NATS_PASSWORD') ? 'user-password' : undefined,
    has('NATS_TOKEN') ? 'token' : undefined,
    has('NATS_NKEY_SEED_FILE') ? 'nkey' : undefined,
    has('NATS_CREDS_FILE') ? 'creds' : undefined,
  ].filter((m): m is Exclude<NatsAuthMethod, 'none'> => m !== undefined);
  if (methods.length > 1) {
    throw new ConfigError('NATS_*', `set one authentication method, not several (${methods.join(', ')})`);
  }
  const method: NatsAuthMethod = methods[0] ?? 'none';
  const options: NatsSecurity['options'] = {};
  if (method === 'user-password') {
    if (!has('NATS_USER') || !has('NATS_PASSWORD')) throw new ConfigError('NATS_USER', 'NATS_USER and NATS_PASSWORD go together');
    options.user = env.NATS_USER;
    options.pass = env.NATS_PASSWORD;
  } else if (method === 'token') {
    options.token = env.NATS_TOKEN;
  } else if (method === 'nkey') {
    const seed = new TextDecoder().decode(readSecretFile('NATS_NKEY_SEED_FILE', env.NATS_NKEY_SEED_FILE!)).trim();
    if (!/^SU[A-Z2-7]{50,}$/.test(seed)) throw new ConfigError('NATS_NKEY_SEED_FILE', 'does not hold a user nkey seed (SU…)');
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  } else if (method === 'creds') {
    options.authenticator = credsAuthenticator(readSecretFile('NATS_CREDS_FILE', env.NATS_CREDS_FILE!));
  }
  const tlsFiles = ['NATS_TLS_CA_FILE', 'NATS_TLS_CERT_FILE', 'NATS_TLS_KEY_FILE'].filter(has);
  const tls = env.NATS_TLS === '1' || env.NATS_TLS === 'true' || tlsFiles.length > 0;
  if (has('NATS_TLS_CERT_FILE') !== has('NATS_TLS_KEY_FILE')) {
    throw new ConfigError('NATS_TLS_CERT_FILE', 'a client certificate needs both NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE');
  }
  for (const v of tlsFiles) readSecretFile(v, env[v]!); // fail at start, naming the variable
  if (tls) {
    options.tls = {
      ...(has('NATS_TLS_CA_FILE') ? { caFile: env.NATS_TLS_CA_FILE } : {}),
      ...(has('NATS_TLS_CERT_FILE') ? { certFile: env.NATS_TLS_CERT_FILE, keyFile: env.NATS_TLS_KEY_FILE } : {}),
    };
  }
  return { options, method, tls };
}

/** For logs and /api/health: the method and whether TLS is on, never a secret. */
export const describeNatsAuth = (s: NatsSecurity) => ({ auth: s.method, tls: s.tls });

/** NATS_URL as health shows it: credentials in any of its comma-separated URLs replaced by `***`. */
export const redactNatsUrl = (url: string): string => url.replace(/\/\/[^@/,]*@/g, '//***@');
