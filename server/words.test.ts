import { describe, expect, it } from 'vitest';
// @ts-expect-error the page's plain ES module, without type declarations
import { T } from '../web/src/i18n.js';
// @ts-expect-error the console's plain ES module, without type declarations
import { LADDER_ZH as CONSOLE_LADDER, REASON_ZH as CONSOLE_REASONS, ROLE_ZH as CONSOLE_ROLES, WHAT_ZH as CONSOLE_WHAT } from '../web/console/words.js';
import { ACK_REASON_ZH, LADDER_ZH, LEVEL_ZH, ROLE_ZH, WHAT_ZH } from './words.ts';

describe('level words', () => {
  it('are the wall-board\'s, in the weekly review and the gateway notices alike', () => {
    for (const level of ['ok', 'watch', 'breach', 'critical']) expect({ level, word: LEVEL_ZH[level] }).toEqual({ level, word: T[level] });
  });

  it('and the escalation ladder\'s steps are the ticker\'s, in the console too', () => {
    expect(LADDER_ZH).toEqual(T.ladder);
    expect(CONSOLE_LADDER).toEqual(T.ladder);
  });

  it('and the roles and acknowledgement reasons of the gateway notices are the console\'s', () => {
    expect(ROLE_ZH).toEqual(CONSOLE_ROLES);
    for (const [code, word] of Object.entries(ACK_REASON_ZH)) expect({ code, word }).toEqual({ code, word: CONSOLE_REASONS[code] });
  });

  it('and what a history line says happened is the console\'s in the CSV, and never 升级 (audit CH5)', () => {
    expect(WHAT_ZH).toEqual(CONSOLE_WHAT);
    expect(Object.values(WHAT_ZH).join()).not.toContain('升级');
  });
});
