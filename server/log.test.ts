import { describe, expect, it } from 'vitest';
import { urlForLog } from './log.ts';

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
});
