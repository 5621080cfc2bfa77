// What a number copied from a web page, a chat or a Word document carries between its digits
// (audit CI C1), and the tests' own statement of what masking does with it.

/** spaces of other widths (U+2009 thin, U+202F narrow no-break, U+2007 figure, …: Unicode Zs) */
export const SPACES = ['\u2009', '\u202f', '\u2007', '\u2002', '\u00a0', '\u3000'];
/** invisible characters (Unicode Cf): zero-width space and joiners, word joiner, BOM, soft
 *  hyphen, a direction mark, a tag character (outside the BMP) */
export const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u{e0020}'];

const TOUCHABLE = '[\\0-\\x7f\\p{Zs}\\u00b7\\u2013\\u2014\\u2212\\u3001\\u30fb\\uff01-\\uff5e]';
/** Cf characters that are seen (drawn over the digits after them): they stay, as letters do */
export const PREPENDED_MARKS = /^[\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u{110bd}\u{110cd}]$/u;
const UNSEEN = '(?:(?![\\u0600-\\u0605\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u{110bd}\\u{110cd}])\\p{Cf})';
const TOUCHING = new RegExp(`(\\u{1f3f4}[\\u{e0020}-\\u{e007e}]+\\u{e007f})|${UNSEEN}+(?=${TOUCHABLE})|(?<=${TOUCHABLE})${UNSEEN}+`, 'gu');
/** the text as masking reads it: without the invisible characters that touch anything ASCII,
 *  a space or a full-width form (an emoji's joiners, a flag's tags and the seen marks stay) */
export const visible = (text: string): string => text.replace(TOUCHING, (_m, flag: string | undefined) => flag ?? '');
