// lower and upper map every code point as Go's strings.ToLower/ToUpper do: rune by rune, Unicode's
// simple case mapping (UnicodeData 15.0, Go's unicode tables), never JavaScript's full or
// context-dependent mapping. The table is scripts/gen-case-tables.ts's output.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, type Runtime } from '../harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

type Case = { note: string; fn: 'bi_lower' | 'bi_upper'; arg: string; want: string };

const cases: Case[] = [
  { note: 'ß has no simple upper case (JS gives SS)', fn: 'bi_upper', arg: 'straße', want: 'STRAßE' },
  { note: 'capital sharp s lowers to ß', fn: 'bi_lower', arg: 'ẞ', want: 'ß' },
  { note: 'İ lowers to plain i (JS adds a combining dot)', fn: 'bi_lower', arg: 'İSTANBUL', want: 'istanbul' },
  { note: 'dotless ı uppers to I', fn: 'bi_upper', arg: 'ı', want: 'I' },
  { note: 'no final sigma', fn: 'bi_lower', arg: 'ΟΔΟΣ ΣΑΣ', want: 'οδοσ σασ' },
  { note: 'final sigma uppers to Σ', fn: 'bi_upper', arg: 'ς', want: 'Σ' },
  { note: 'Greek with ypogegrammeni: simple upper case', fn: 'bi_upper', arg: 'ᾳ ᾀ ῳ ῃ', want: 'ᾼ ᾈ ῼ ῌ' },
  { note: 'Greek titlecase with prosgegrammeni lowers', fn: 'bi_lower', arg: 'ᾼᾈ', want: 'ᾳᾀ' },
  { note: 'ΐ has no simple upper case', fn: 'bi_upper', arg: 'ΐ', want: 'ΐ' },
  { note: 'ligatures have no simple upper case', fn: 'bi_upper', arg: 'ﬀ ﬓ ŉ ǰ', want: 'ﬀ ﬓ ŉ ǰ' },
  { note: 'titlecase digraphs', fn: 'bi_upper', arg: 'ǅǆ', want: 'ǄǄ' },
  { note: 'titlecase digraphs lower', fn: 'bi_lower', arg: 'ǅǄ', want: 'ǆǆ' },
  { note: 'Kelvin and Ångström signs lower', fn: 'bi_lower', arg: '\u212a\u212b\u2126', want: 'kåω' },
  { note: 'long s and micro sign upper', fn: 'bi_upper', arg: 'ſµ', want: 'SΜ' },
  { note: 'Georgian Mkhedruli uppers to Mtavruli', fn: 'bi_upper', arg: 'ქართული', want: 'ᲥᲐᲠᲗᲣᲚᲘ' },
  { note: 'Armenian', fn: 'bi_upper', arg: 'հայերեն', want: 'ՀԱՅԵՐԵՆ' },
  { note: 'Cherokee lowers to the small letters', fn: 'bi_lower', arg: 'ᎠᏴ', want: 'ꭰᏼ' },
  { note: 'Cyrillic extended', fn: 'bi_upper', arg: 'ѡҁҋӂӏԯ', want: 'ѠҀҊӁӀԮ' },
  { note: 'Latin extended additional', fn: 'bi_upper', arg: 'ḁẕỿ', want: 'ḀẔỾ' },
  { note: 'Glagolitic and Coptic', fn: 'bi_lower', arg: 'ⰀⲀ', want: 'ⰰⲁ' },
  { note: 'fullwidth', fn: 'bi_upper', arg: 'ａｚ', want: 'ＡＺ' },
  { note: 'Deseret, Osage, Adlam (astral)', fn: 'bi_upper', arg: '𐐨𐓘𞤢', want: '𐐀𐒰𞤀' },
  { note: 'Vithkuqi and Medefaidrin lower', fn: 'bi_lower', arg: '𐕰𖹀', want: '𐖗𖹠' },
  { note: 'pairs encoded after Unicode 15.0 stay (Go 15.0 tables)', fn: 'bi_lower', arg: 'ꟋꟌ𐵐', want: 'ꟋꟌ𐵐' },
  { note: 'uncased letters and marks stay', fn: 'bi_upper', arg: 'a\u0301 日本 ا', want: 'A\u0301 日本 ا' },
];

describe('lower and upper follow Go', () => {
  it.each(cases)('$note', ({ fn, arg, want }) => {
    expect(rt.call(fn, arg)).toBe(want);
  });

  it('changes as many code points as Go’s tables map (1433 lower, 1450 upper)', () => {
    const changed = { bi_lower: 0, bi_upper: 0 };
    for (let start = 0; start <= 0x10ffff; start += 0x1000) {
      const cps: number[] = [];
      for (let c = start; c < start + 0x1000 && c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) cps.push(c);
      const text = String.fromCodePoint(...cps);
      for (const fn of ['bi_lower', 'bi_upper'] as const) {
        const out = [...(rt.call(fn, text) as string)];
        expect(out.length).toBe(cps.length);
        out.forEach((ch, i) => {
          if (ch.codePointAt(0) !== cps[i]) changed[fn]++;
        });
      }
    }
    expect(changed).toEqual({ bi_lower: 1433, bi_upper: 1450 });
  });
});
