import { describe, expect, it } from 'vitest';
// @ts-expect-error the page's plain ES module, without type declarations
import { QUIET_MS } from '../../web/src/intake.js';
// @ts-expect-error the page's plain ES module, without type declarations
import { LAG_STALE_MS, ROTATE_SECONDS, pageOptions } from '../../web/src/page-options.js';

// The wall page's address read into its options (web/src/page-options.js), with plain strings; the
// browser tests open the page with such addresses.

describe('page options', () => {
  it('page options - an address with no options gives the defaults', () => {
    const defaults = {
      kiosk: false, masked: false, token: '', screen: '',
      lagStaleMs: LAG_STALE_MS, quietMs: QUIET_MS, rotate: ROTATE_SECONDS,
    };
    expect(pageOptions('')).toEqual(defaults);
    expect(pageOptions('?lang=en')).toEqual(defaults);
    expect({ LAG_STALE_MS, ROTATE_SECONDS }).toEqual({ LAG_STALE_MS: 120_000, ROTATE_SECONDS: 20 });
  });

  it('page options - flags count by their presence, whatever their value', () => {
    expect(pageOptions('?kiosk&masked')).toMatchObject({ kiosk: true, masked: true });
    expect(pageOptions('?kiosk=0&masked=false')).toMatchObject({ kiosk: true, masked: true });
  });

  it('page options - numbers are taken as given; missing, not a number or zero take the default', () => {
    expect(pageOptions('?lagStaleMs=5000&quietHours=0.5&rotate=7'))
      .toMatchObject({ lagStaleMs: 5000, quietMs: 1_800_000, rotate: 7 });
    for (const bad of ['', 'x', '0']) {
      expect(pageOptions(`?lagStaleMs=${bad}&quietHours=${bad}&rotate=${bad}`))
        .toMatchObject({ lagStaleMs: LAG_STALE_MS, quietMs: QUIET_MS, rotate: ROTATE_SECONDS });
    }
  });

  it('page options - the token is taken as given; the screen name is cut to 64 characters', () => {
    expect(pageOptions('?token=a%2Bb&screen=%E5%A4%A7%E5%8E%85')).toMatchObject({ token: 'a+b', screen: '大厅' });
    expect(pageOptions(`?screen=${'x'.repeat(100)}`).screen).toBe('x'.repeat(64));
  });
});
