// The one error type of the plan module. Everything wrong with a plan file (missing, unreadable,
// bad syntax, bad values) is a PlanError, so the server can refuse to start, or refuse a plan
// change, with a message an operator can act on: file, line, path and field.

import { maskText } from '../transforms/mask-text.ts';

export interface PlanErrorInit {
  file: string;
  /** 1-based; undefined when the problem has no place in the text (missing or empty file) */
  line?: number | undefined;
  /** e.g. `types[1].annualAllowance`; '' for the whole document */
  path?: string;
  /** the plan-format field the problem is about, e.g. `annualAllowance`; '' for the whole document */
  field?: string;
  /** what is wrong, without the location prefix */
  reason: string;
  cause?: unknown;
}

export class PlanError extends Error {
  override readonly name = 'PlanError';
  readonly file: string;
  readonly line: number | undefined;
  readonly path: string;
  readonly field: string;
  readonly reason: string;

  constructor(init: PlanErrorInit) {
    const where = init.line === undefined ? init.file : `${init.file}:${init.line}`;
    // A refused value is quoted (got "139 1234 5680"), and a key as written is a path: the
    // message goes into the fatal log line and the 400 of PUT /api/plan, so a personal number
    // or e-mail address a plan's author typed there is masked as in tickets' texts (audit CI
    // C6). The line, the field and the file still say where it is.
    const path = maskText(init.path ?? '');
    const reason = maskText(init.reason);
    super(`${where}: ${path ? `${path}: ` : ''}${reason}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.file = init.file;
    this.line = init.line;
    this.path = path;
    this.field = maskText(init.field ?? '');
    this.reason = reason;
  }
}
