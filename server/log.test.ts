import { describe, expect, it } from 'vitest';
import { requestIds, urlForLog } from './log.ts';

describe('urlForLog', () => {
  it('replaces every token parameter, however its name is spelt, and keeps the rest', () => {
    expect(urlForLog('/?token=abc')).toBe('/?token=[redacted]');
    expect(urlForLog('/?screen=wall-1&token=abc&lang=en')).toBe('/?screen=wall-1&token=[redacted]&lang=en');
    expect(urlForLog('/ws?TOKEN=abc&token=def')).toBe('/ws?TOKEN=[redacted]&token=[redacted]');
    expect(urlForLog('/api/health?%74oken=abc')).toBe('/api/health?%74oken=[redacted]');
    expect(urlForLog('/api/health?token')).toBe('/api/health?token=[redacted]');
    expect(urlForLog('/api/health?%E0%A4%A=abc')).toBe('/api/health?%E0%A4%A=[redacted]');
  });

  it('leaves URLs without a token as they are', () => {
    expect(urlForLog('/api/counters?year=2025&scope=BJ')).toBe('/api/counters?year=2025&scope=BJ');
    expect(urlForLog('/api/counters')).toBe('/api/counters');
    expect(urlForLog('/api/series?tokens=1&mytoken=2')).toBe('/api/series?tokens=1&mytoken=2');
  });

  // audit CI C5
  it('masks personal numbers and e-mail addresses in the path and the parameters, as they read decoded', () => {
    expect(urlForLog('/api/counters?year=2026&scope=13912345670&token=abc')).toBe('/api/counters?year=2026&scope=139****5670&token=[redacted]');
    expect(urlForLog('/ws?token=abc&phone=139+1234+5671')).toBe('/ws?token=[redacted]&phone=139****5671');
    expect(urlForLog('/api/alerts/case.TK-139%201234%205672?mail=zhang.wei88%40example.com')).toBe('/api/alerts/case.TK-139****5672?mail=z***%40example.com');
    expect(urlForLog('/api/x?13912345673&id=11010519491231010X&e=%E0%A4%A13912345674&bad=%ZZ13912345675')).toBe('/api/x?139****5673&id=110***********010X&e=%E0%A4%A139****5674&bad=%ZZ139****5675');
    expect(urlForLog('/api/counters?year=2025&scope=BJ&asOf=2025-03-07T10%3A00%3A00Z')).toBe('/api/counters?year=2025&scope=BJ&asOf=2025-03-07T10%3A00%3A00Z');
  });
});

describe('requestIds', () => {
  it('takes a caller\'s x-request-id only when masking would leave it as it is; else makes one', () => {
    const next = requestIds();
    const id = (v?: string | string[]) => next({ headers: v === undefined ? {} : { 'x-request-id': v } });
    expect(id('trace-123')).toBe('trace-123');
    expect(id('3f2a9c1e-7b44-4d1a-9a61-0c2b5e8d7f10')).toBe('3f2a9c1e-7b44-4d1a-9a61-0c2b5e8d7f10');
    expect(id()).toBe('req-1');
    expect(id('11010519491231010X')).toBe('req-2');
    expect(id('13912345670')).toBe('req-3');
    expect(id('zhang.wei88@example.com')).toBe('req-4');
    expect(id('139\u200b1234\u200b5670')).toBe('req-5');
    expect(id(['a', 'b'])).toBe('req-6');
    expect(id('x'.repeat(201))).toBe('req-7');
  });
});
