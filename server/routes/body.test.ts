import { describe, expect, it } from 'vitest';
import { bodyOf, text } from './body.ts';

describe('routes - a request body at the boundary', () => {
  // audit CA C3: fetch sends a JSON string without a content type as text/plain, and the contract's
  // {"by": "..."} was refused as "the body must be a JSON object"
  it('reads JSON sent as text, and says what to send when it is none', () => {
    expect(bodyOf('{"by":"王主管"}', ['by'])).toEqual({ by: '王主管' });
    expect(() => bodyOf('by=王主管', ['by'])).toThrow('the body must be a JSON object (sent as application/json)');
    expect(() => bodyOf('[1]', ['by'])).toThrow('the body must be a JSON object');
    expect(() => bodyOf({ by: 'x', comment: 'y' }, ['by'])).toThrow('unknown field "comment" (allowed: by)');
  });

  it('names the marks that reorder text when it refuses them, not only control characters', () => {
    expect(() => text({ by: '\u200fدانا' }, 'by', true)).toThrow(/marks that reorder text \(U\+200E, U\+200F/);
    expect(() => text({ by: '王\t主管' }, 'by', true)).toThrow(/tabs or line breaks/);
    expect(text({ note: '第一行\n第二行' }, 'note', true)).toBe('第一行\n第二行');
  });
});
