import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, as one text (bytes as Latin-1): what `grep -r` would find there. */
export function filesText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'latin1'))
    .join('\n');
}
