import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// What the pages were served from: a hash of every file under web/ and of the uPlot files served
// beside them. It travels in each /ws snapshot and in the pages themselves (a meta tag), so a page
// still running the scripts of another version can tell once its link reconnects: wall screens
// reload themselves, consoles say to (an upgrade audit found consoles, left open, following an
// earlier version's rules for days). The page's own tag, not its first snapshot, says which
// version it runs: behind one address two versions may answer the page and the link.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WEB_ROOTS = [join(ROOT, 'web'), join(ROOT, 'node_modules', 'uplot', 'dist')];

/** A short hash of the files under `roots` (their paths and contents), the same for the same files. */
export function webBuild(roots: readonly string[]): string {
  const hash = createHash('sha256');
  const walk = (root: string, dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(root, path);
      else if (entry.isFile()) hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const root of roots) walk(root, root);
  return hash.digest('hex').slice(0, 12);
}

let served: string | undefined;
/** This process's build: computed once (a deploy does not change its files while it runs). */
export function servedBuild(): string {
  return (served ??= webBuild(WEB_ROOTS));
}

const pages = new Map<string, string>();
/** A page of web/ with the build it belongs to in a `<meta name="web-build">` tag. */
export function pageWithBuild(file: string): string {
  let html = pages.get(file);
  if (html === undefined) {
    html = readFileSync(join(WEB_ROOTS[0]!, file), 'utf8').replace('<head>', `<head>\n<meta name="web-build" content="${servedBuild()}">`);
    pages.set(file, html);
  }
  return html;
}
