import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose.yml and the Dockerfile cannot be run here (no Docker on the build machine), so
// what they reference is checked by reading them (audit V F4, F14): the plan compose gives, the
// required secrets, health checks and start order, the published ports, and that the image holds
// everything the monitor and the operators' tools import.

const ROOT = join(import.meta.dirname, '..', '..');
// compose applies YAML merge keys (<<: *nats)
const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: string[]; ports?: string[]; depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] } }>;
};
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
const monitor = compose.services.monitor!;

describe('docker-compose.yml', () => {
  it('mounts no sample plan as PLAN: without one the monitor takes the sample moved to the current year; the bank\'s plans come from ./plans', () => {
    expect(JSON.stringify(monitor)).not.toMatch(/sample-plan/);
    expect(monitor.environment!.PLAN).toBe('${PLAN:-}');
    for (const volume of monitor.volumes!) {
      const host = volume.split(':')[0]!;
      if (host.startsWith('.')) expect(existsSync(join(ROOT, host)), `${host} exists in the repository`).toBe(true);
    }
    expect(monitor.volumes).toContain('./plans:/plans:ro');
  });

  it('requires the tokens, the hash key and the ClickHouse password', () => {
    for (const name of ['MONITOR_TOKENS', 'CUSTOMER_HASH_KEY', 'CLICKHOUSE_PASSWORD']) expect(monitor.environment![name]).toMatch(new RegExp(`^\\$\\{${name}:\\?`));
  });

  it('checks every service\'s health and starts the monitor once the brokers and ClickHouse are healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) expect(service.healthcheck?.test, name).toBeDefined();
    for (const name of ['nats-1', 'nats-2', 'nats-3']) {
      expect(monitor.depends_on![name]).toEqual({ condition: 'service_healthy' });
      // the check asks the monitoring port, which the broker opens only when told
      expect(compose.services[name]!.command!.join(' ')).toMatch(/-m 8222\b/);
      expect(compose.services[name]!.healthcheck!.test.join(' ')).toMatch(/127\.0\.0\.1:8222\/healthz/);
    }
    expect(monitor.depends_on!.clickhouse).toEqual({ condition: 'service_healthy' });
    expect(monitor.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${/PORT=(\d+)/.exec(dockerfile)![1]}/api/health`);
  });

  // audit CN4: the file told of a standby made by `--scale monitor=2`, which a fixed host port
  // (the second container cannot bind it and never starts) and one DATA_DIR volume rule out
  it('does not offer scaling the monitor service while it publishes a fixed host port and one DATA_DIR volume', () => {
    const fixedHostPort = (monitor.ports ?? []).some((p) => /^(?:[\d.]+:)?\d+:\d+$/.test(p));
    const sharedDataDir = (monitor.volumes ?? []).some((v) => /^[\w-]+:\/data$/.test(v)) && monitor.environment!.DATA_DIR === '/data';
    if (fixedHostPort || sharedDataDir) expect(composeText).not.toMatch(/--scale\s+monitor/);
  });

  it('publishes ClickHouse on the host\'s loopback only', () => {
    for (const port of compose.services.clickhouse!.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });
});

/** Local files and packages a module imports at run time (type-only imports are erased). */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
  const files: string[] = [];
  const packages: string[] = [];
  for (const spec of specs) {
    if (spec.startsWith('.')) files.push(resolve(dirname(file), spec));
    else if (!isBuiltin(spec)) packages.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return { files, packages };
}

describe('Dockerfile', () => {
  const copied = [...dockerfile.matchAll(/^COPY\s+(\S+)\s+\S+$/gm)].map((m) => m[1]!).filter((src) => !src.includes('package'));
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const inImage = (path: string) => {
    const rel = relative(ROOT, path);
    return copied.some((dir) => rel === dir || rel.startsWith(`${dir}/`)) && !ignored.some((pattern) => rel.startsWith(`${pattern}/`) || (pattern === '**/*.test.ts' && rel.endsWith('.test.ts')));
  };

  it('copies what exists, and the image holds every file the monitor, the replay and the plan tool import, with their packages installed', () => {
    for (const src of copied) expect(existsSync(join(ROOT, src)), src).toBe(true);
    const entries = [/CMD \[.*"(server\/[^"]+)"\]/.exec(dockerfile)![1]!, ...['start', 'replay', 'plan'].map((script) => /\s(\S+\.ts)$/.exec(pkg.scripts[script]!)![1]!)];
    const seen = new Set<string>();
    const missing: string[] = [];
    const devOnly = new Set<string>();
    const queue = entries.map((e) => join(ROOT, e));
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      if (!existsSync(file) || !statSync(file).isFile() || !inImage(file)) {
        missing.push(relative(ROOT, file));
        continue;
      }
      const { files, packages } = importsOf(file);
      queue.push(...files);
      for (const p of packages) if (!(p in pkg.dependencies)) devOnly.add(p);
    }
    expect(missing).toEqual([]);
    expect([...devOnly]).toEqual([]);
    expect(seen.size).toBeGreaterThan(50);
    expect([...seen].some((f) => f.endsWith('scripts/replay.ts'))).toBe(true);
  });
});
