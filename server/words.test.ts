import { describe, expect, it } from 'vitest';
// @ts-expect-error the page's plain ES module, without type declarations
import { T } from '../web/src/i18n.js';
// @ts-expect-error the console's plain ES module, without type declarations
import { LADDER_ZH as CONSOLE_LADDER, REASON_ZH as CONSOLE_REASONS, ROLE_ZH as CONSOLE_ROLES, WHAT_ZH as CONSOLE_WHAT, caseEscalatedText } from '../web/console/words.js';
import { ACK_REASON_ZH, caseEscalatedZh, HAPPENED_ZH, LADDER_ZH, LEVEL_ZH, ROLE_ZH, WHAT_ZH } from './words.ts';

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

  // Audit CL1, CL6: the weekly review said most kinds as codes; the CSV said 工单上报 for a complaint's
  // own ladder step where the console, the notices and the wall say 工单提交三方调解
  it('and every kind of history line has Chinese words for a count, and a complaint\'s ladder step is 工单提交 on every surface', () => {
    expect(Object.keys(HAPPENED_ZH).sort()).toEqual(Object.keys(WHAT_ZH).sort());
    for (const [what, word] of Object.entries(HAPPENED_ZH)) expect({ what, word }).toEqual({ what, word: expect.stringMatching(/^[\u4e00-\u9fff（）、]+$/) });
    expect(Object.values(HAPPENED_ZH).join()).not.toMatch(/升级|上报|发出通知/);
    expect(WHAT_ZH['case-escalated']).toBe('工单提交');
    for (const step of ['case_meeting', 'mediation', 'management', 'board', undefined]) expect(caseEscalatedZh(step)).toBe(caseEscalatedText(step));
    expect(['case_meeting', 'mediation', 'management', undefined].map(caseEscalatedZh)).toEqual(['工单提交案例会', '工单提交三方调解', '工单提交管理层', '工单提交']);
  });
});
