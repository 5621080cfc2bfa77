import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every temporary directory of one run (the monitors' data, the brokers' stores, the embedded
// engines) is made under one directory of its own, removed when the run ends: the suite left
// about 170 MB in /tmp per run before (a test restarts its monitor on the same directory, so
// the directories cannot go when one monitor stops). KEEP_TEST_TMP=1 keeps it to look into.
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'cewm-run-'));
  process.env.TMPDIR = root; // read by os.tmpdir() in every test process forked after this
  return () => {
    if (process.env.KEEP_TEST_TMP) console.log(`test temporary files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
