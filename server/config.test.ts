import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, sourceSettings } from './config.ts';

describe('config - the environment', () => {
  // An audit: a malformed SQL_MAX_* was silently replaced by its default, where every other
  // variable stops the start with its name.
  it('refuses a malformed analysts\' SQL limit by name, like every other variable', () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'cewm-config-'));
    expect(() => loadConfig({ DATA_DIR, SQL_MAX_RESULT_ROWS: 'lots' })).toThrow(/SQL_MAX_RESULT_ROWS.*must be an integer/);
    expect(() => loadConfig({ DATA_DIR, SQL_MAX_CONCURRENT: '0' })).toThrow(/SQL_MAX_CONCURRENT/);
    expect(() => loadConfig({ DATA_DIR, SQL_MAX_MEMORY_BYTES: '1000' })).toThrow(/SQL_MAX_MEMORY_BYTES/);
    expect(loadConfig({ DATA_DIR, SQL_MAX_RESULT_ROWS: '5000' }).dataDir).toBe(DATA_DIR);
  });

  it('gives the stream a retention: 90 days unless STREAM_MAX_AGE_DAYS says otherwise (0: no age limit)', () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'cewm-config-'));
    const day = 86_400_000;
    expect(sourceSettings(loadConfig({ DATA_DIR })).retention).toEqual({ maxAgeMs: 90 * day });
    expect(loadConfig({ DATA_DIR, STREAM_MAX_AGE_DAYS: '400' }).streamRetention).toEqual({ maxAgeMs: 400 * day });
    expect(loadConfig({ DATA_DIR, STREAM_MAX_AGE_DAYS: '0' }).streamRetention).toEqual({ maxAgeMs: 0 });
    expect(() => loadConfig({ DATA_DIR, STREAM_MAX_AGE_DAYS: '1.5' })).toThrow(/STREAM_MAX_AGE_DAYS.*must be an integer/);
    expect(() => loadConfig({ DATA_DIR, STREAM_MAX_AGE_DAYS: '-1' })).toThrow(/STREAM_MAX_AGE_DAYS/);
  });

  it('takes the embedded broker\'s port from NATS_PORT (unset: 4222 or a free one), refusing a bad one by name', () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'cewm-config-'));
    expect(loadConfig({ DATA_DIR }).natsPort).toBeUndefined();
    expect(loadConfig({ DATA_DIR, NATS_PORT: '14222' }).natsPort).toBe(14222);
    expect(() => loadConfig({ DATA_DIR, NATS_PORT: '70000' })).toThrow(/NATS_PORT.*must be an integer from 1 to 65535/);
  });

  // audit V F14: in a container (HOST=0.0.0.0) open local mode answered nobody, and said nothing
  it('refuses to start without tokens on a HOST that listens beyond the machine, saying what to set', () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'cewm-config-'));
    for (const HOST of ['0.0.0.0', '::', '10.1.2.3', 'monitor.bank.example']) {
      expect(() => loadConfig({ DATA_DIR, HOST })).toThrow(/^MONITOR_TOKENS: is unset while HOST=.* listens beyond this machine.*Set MONITOR_TOKENS.*or HOST=127\.0\.0\.1/);
    }
    for (const HOST of ['', '127.0.0.1', 'localhost', '::1', '127.0.0.2']) expect(loadConfig({ DATA_DIR, HOST }).tokens.size).toBe(0);
    expect(loadConfig({ DATA_DIR, HOST: '0.0.0.0', MONITOR_TOKENS: 'a-viewer-token-0123456:viewer' }).host).toBe('0.0.0.0');
  });

  // Audit CB F4: nothing on a wall of re-labelled CFPB complaints said so; the operator's line is shown on the pages
  it('takes DATA_NOTICE as one line of bounded text, refusing a longer or multi-line one by name', () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'cewm-config-'));
    expect(loadConfig({ DATA_DIR }).dataNotice).toBeUndefined();
    expect(loadConfig({ DATA_DIR, DATA_NOTICE: '  ' }).dataNotice).toBeUndefined();
    expect(loadConfig({ DATA_DIR, DATA_NOTICE: ' 演示数据：美国CFPB公开投诉样本 <b>x</b> ' }).dataNotice).toBe('演示数据：美国CFPB公开投诉样本 <b>x</b>');
    // verify CG G3/G4: 120 Chinese characters were cut on the wall; marks that reorder or hide text passed
    expect(loadConfig({ DATA_DIR, DATA_NOTICE: '演'.repeat(100) }).dataNotice).toHaveLength(100);
    expect(() => loadConfig({ DATA_DIR, DATA_NOTICE: '演'.repeat(101) })).toThrow(/^DATA_NOTICE: must be at most 100 characters \(got 101\)/);
    expect(() => loadConfig({ DATA_DIR, DATA_NOTICE: '\u202e演示数据' })).toThrow(/^DATA_NOTICE: must not contain marks that reorder or hide text/);
    expect(() => loadConfig({ DATA_DIR, DATA_NOTICE: '\u200b\u200b' })).toThrow(/^DATA_NOTICE: must not contain marks/);
    expect(() => loadConfig({ DATA_DIR, DATA_NOTICE: '第一行\n第二行' })).toThrow(/^DATA_NOTICE: must be one line/);
  });
});
