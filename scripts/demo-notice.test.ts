import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { demoDataNotice } from './demo-notice.ts';

describe('demo - the pages say the figures are re-labelled CFPB complaints', () => {
  // Audit CB F4: the demo wall, shown to management, read as a Chinese bank's own complaints
  it('gives the monitor a notice it takes (one bounded line), unless the operator set one', () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'cewm-demo-notice-'));
    const notice = demoDataNotice({});
    expect(notice).toMatch(/CFPB.*重新标注.*非本行真实投诉/);
    expect(loadConfig({ DATA_DIR, DATA_NOTICE: notice }).dataNotice).toBe(notice);
    expect(demoDataNotice({ DATA_NOTICE: 'Demo: CFPB sample' })).toBe('Demo: CFPB sample');
  });
});
