import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// What the pages were served from: a hash of every file under web/. It travels in each /ws
// snapshot, so a page still running the scripts of an earlier version can tell, after the
// monitor was upgraded and its link reconnected: wall screens reload themselves, consoles say to
// (an upgrade audit found consoles, left open, following an earlier version's rules for days).

/** A short hash of the files under `root` (their paths and contents), the same for the same files. */
export function webBuild(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(root);
  return hash.digest('hex').slice(0, 12);
}
