import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawGlyphs, glyphText, hasGlyph, GLYPH_COLUMNS, GLYPH_ROWS } from './glyphs.js';

/** Renders one character at cell 1 into a 5×7 bitmap string (rows joined by '/'). */
function bitmap(ch: string): string {
  const data = new Float32Array(GLYPH_COLUMNS * GLYPH_ROWS);
  drawGlyphs(data, GLYPH_COLUMNS, GLYPH_ROWS, ch, 0, 0, 1, 1);
  const rows: string[] = [];
  for (let r = 0; r < GLYPH_ROWS; r++)
    rows.push(Array.from(data.subarray(r * 5, r * 5 + 5), (v) => String(v)).join(''));
  return rows.join('/');
}

test('the side markers keep their shapes (the synthetic radiographs depend on them)', () => {
  assert.equal(bitmap('L'), '10000/10000/10000/10000/10000/10000/11111');
  assert.equal(bitmap('R'), '11110/10001/10001/11110/10100/10010/10001');
});

test('every upper-case letter and digit has a distinct glyph; cells scale each pixel', () => {
  const chars = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
  for (const ch of chars) assert.ok(hasGlyph(ch), ch);
  const shapes = new Set(chars.map(bitmap));
  assert.equal(shapes.size, chars.length);
  const ones = (s: string) => [...s].filter((c) => c === '1').length;
  const data = new Float32Array(40 * 20);
  // "HI" at cell 2: each glyph pixel becomes 2 × 2 pixels
  assert.equal(drawGlyphs(data, 40, 20, 'HI', 0, 0, 2, 1), 4 * (ones(bitmap('H')) + ones(bitmap('I'))));
});

test('glyphText spells text in drawable characters', () => {
  assert.equal(glyphText('Screening aid, not a diagnosis'), 'SCREENING AID, NOT A DIAGNOSIS');
  assert.equal(glyphText('score ≥ 0.5 — T-score −2.5 (café) 3×'), 'SCORE >= 0.5 - T-SCORE -2.5 (CAFE) 3X');
  assert.equal(glyphText('a{b}'), 'A?B?');
});
