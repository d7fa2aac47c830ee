// parseCsv (csv-parse underneath): RFC 4180 cases written out by hand, and a round trip through an
// RFC 4180 writer written here (quote a field when it holds a comma, quote, CR or LF; double quotes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCsv, isCxrkitError } from '@cxrkit/core';

test('parseCsv: quoting, doubled quotes, CRLF/LF/CR (mixed), BOM, blank lines, ragged rows', () => {
  const cases: Array<[string, string[][]]> = [
    [
      'a,b\r\nc,d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'a,b\nc,d\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['a\rb\r', [['a'], ['b']]],
    ['x\r\ny\nz\rw', [['x'], ['y'], ['z'], ['w']]],
    [
      '\ufeffid,path\n1,a.png',
      [
        ['id', 'path'],
        ['1', 'a.png'],
      ],
    ],
    [
      'a,"b,c"\n"x""y",z',
      [
        ['a', 'b,c'],
        ['x"y', 'z'],
      ],
    ],
    ['"multi\r\nline",2', [['multi\r\nline', '2']]],
    [
      'a,,\n,\n',
      [
        ['a', '', ''],
        ['', ''],
      ],
    ],
    ['\n\na\r\n\r\nb\n\n', [['a'], ['b']]],
    ['a,"",b', [['a', '', 'b']]],
    [' a , b ', [[' a ', ' b ']]],
    ['say "hi",x', [['say "hi"', 'x']]],
    ['', []],
  ];
  for (const [text, rows] of cases) assert.deepEqual(parseCsv(text), rows, JSON.stringify(text));
});

test('parseCsv: an unclosed quote is CSV_UNTERMINATED_QUOTE', () => {
  assert.throws(
    () => parseCsv('a,"b\n'),
    (e) => isCxrkitError(e, 'CSV_UNTERMINATED_QUOTE'),
  );
  const inRow2 = (e: unknown) => isCxrkitError(e, 'CSV_UNTERMINATED_QUOTE') && /in row 2 /.test((e as Error).message);
  assert.throws(() => parseCsv('id,note\n1,"never closed\n2,x\n'), inRow2);
});

const writeField = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);

test('parseCsv reads back what an RFC 4180 writer wrote (property)', () => {
  const unit = fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r', 'é', '0', ';', "'");
  const field = fc.string({ unit, maxLength: 8 });
  // a row of one empty field is a blank line, which is skipped: keep rows non-blank
  const row = fc.array(field, { minLength: 1, maxLength: 5 }).filter((r) => !(r.length === 1 && r[0] === ''));
  fc.assert(
    fc.property(fc.array(row, { maxLength: 6 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean(), (rows, eol, e) => {
      const text = rows.map((r) => r.map(writeField).join(',')).join(eol) + (e && rows.length ? eol : '');
      assert.deepEqual(parseCsv(text), rows);
    }),
    { numRuns: 500, seed: 20240612 },
  );
});
