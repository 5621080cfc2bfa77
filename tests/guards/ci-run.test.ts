import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// .ci/run's last line is the run's summary. Audit V D5: it read whatever report lay in
// test-artifacts, so a type check that failed (vitest never ran) printed an earlier run's
// "N passed, 0 failed", or a stack trace on a fresh machine. Here `npm` is a stand-in: its
// install does nothing, its test fails before any test or writes a report, as told.

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cewm-ci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'npm'),
  `#!/bin/sh
[ "$1" = test ] || exit 0
for a in "$@"; do case "$a" in --outputFile=*) out="\${a#--outputFile=}";; esac; done
[ -n "$FAKE_REPORT" ] && printf '%s' "$FAKE_REPORT" > "$out"
exit "$FAKE_STATUS"
`,
);
chmodSync(join(dir, 'npm'), 0o755);

function ci(fake: { status: number; report?: object }) {
  const report = join(dir, 'vitest.json');
  // an earlier run's report, which must not be this run's summary
  writeFileSync(report, JSON.stringify({ numPassedTests: 999, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 }));
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, CI_REPORT: report, FAKE_STATUS: String(fake.status), FAKE_REPORT: fake.report ? JSON.stringify(fake.report) : '' };
  const r = spawnSync('bash', [join(ROOT, '.ci/run')], { env, encoding: 'utf8' });
  return { status: r.status, last: r.stdout.trim().split('\n').at(-1) };
}

describe('ci - the summary line', () => {
  it('says the tests did not run when the type check failed, whatever an earlier run left', () => {
    expect(ci({ status: 2 })).toEqual({ status: 2, last: 'Tests: not run (the type check or the test runner failed before any test; exit code 2)' });
  });

  it('reads this run\'s report', () => {
    expect(ci({ status: 1, report: { numPassedTests: 10, numFailedTests: 1, numPendingTests: 2, numTodoTests: 0 } })).toEqual({ status: 1, last: 'Tests: 10 passed, 1 failed, 2 skipped' });
  });
});
