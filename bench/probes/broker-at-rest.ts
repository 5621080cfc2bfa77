import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { brokerStoreKey } from '../../server/broker-at-rest.ts';
import { freePort, startLocalNats } from '../../server/natsd.ts';
import { ticketStream } from '../../tests/helpers/events.ts';
import { envInt } from '../lib.ts';

// Probe (not part of `npm run bench`): what the embedded broker's encryption at rest
// (server/broker-at-rest.ts) costs the broker. The same events are published (direct, with
// Nats-Msg-Id, so the publisher is not the bound) into a broker in clear and into one started as
// the monitor starts its own (`jetstream { key, cipher: aes }`), then read by a pull consumer that
// decodes and acks each; pairs alternate, ratios against the clear broker of the same pair.
// Run: node --import tsx bench/probes/broker-at-rest.ts

const N = envInt('PROBE_N', 100_000);
const PAIRS = envInt('PROBE_PAIRS', 3);
const events = [...ticketStream({ seed: 5, tickets: N, year: 2026, prefix: 'r' })].slice(0, N).map((e) => JSON.stringify(e));

async function pass(encrypted: boolean) {
  const storeDir = mkdtempSync(join(tmpdir(), 'cewm-probe-at-rest-'));
  const nats = await startLocalNats({ storeDir, port: await freePort(), embedded: { storeKey: encrypted ? brokerStoreKey(Buffer.from('probe')) : undefined } });
  try {
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'P', subjects: ['p.>'] });
    let started = performance.now();
    for (let i = 0; i < events.length; i++) {
      const h = headers();
      h.set('Nats-Msg-Id', `m${i}`);
      nc.publish('p.a', events[i]!, { headers: h });
      if (i % 5_000 === 4_999) await nc.flush();
    }
    while ((await jsm.streams.info('P')).state.messages < events.length) await new Promise((r) => setTimeout(r, 10));
    const stored = events.length / ((performance.now() - started) / 1000);
    await jsm.consumers.add('P', { durable_name: 'c', ack_policy: AckPolicy.Explicit });
    const consumer = await jetstream(nc).consumers.get('P', 'c');
    started = performance.now();
    let n = 0;
    await new Promise<void>((done) => void consumer.consume({ max_messages: 1_000, callback: (m) => { m.json(); m.ack(); if (++n === events.length) done(); } }));
    const read = events.length / ((performance.now() - started) / 1000);
    await nc.close();
    return { stored, read };
  } finally {
    await nats.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

const k = (x: number) => `${Math.round(x / 1000)}k/s`;
for (let pair = 1; pair <= PAIRS; pair++) {
  const clear = await pass(false);
  const aes = await pass(true);
  console.log(`pair ${pair}: stored ${k(clear.stored)} in clear, ${k(aes.stored)} encrypted = ${(aes.stored / clear.stored).toFixed(2)}; read ${k(clear.read)} / ${k(aes.read)} = ${(aes.read / clear.read).toFixed(2)}`);
}
