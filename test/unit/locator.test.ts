// Locator I/O: what a user checks when the extension reads and writes their EEGUnity locator CSV.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import {
  LocatorParseError,
  parseLocator,
  readLocator,
  stringifyLocator,
  writeLocator,
  type Locator,
} from '../../src/core/locator';
import { SAMPLE_LOCATORS, useTempDir, writeFixture } from './helpers';

const EEGUNITY_COLUMNS = [
  'File Path',
  'Domain Tag',
  'File Type',
  'Data Shape',
  'Channel Names',
  'Number of Channels',
  'Sampling Rate',
  'Duration',
  'Completeness Check',
];

const SAMPLES = ['eegunity_ci_bcic_iv_2a.csv', 'eegunity_ci_physionet_hmcsleepstaging.csv', 'example_locator.csv'];

// ---------------------------------------------------------------------------------------------
// A pandas-style writer, written from Python's csv module rules (pandas' to_csv uses csv.writer
// with QUOTE_MINIMAL): a field is quoted when it holds the delimiter, the quote character or a
// character of the line terminator; quotes are doubled; a record made of one empty field is
// written as "" (else the line would be blank); every record ends with the terminator.
// ---------------------------------------------------------------------------------------------
interface PandasStyle {
  eol: '\n' | '\r\n';
  bom: boolean;
}

function pyField(value: string, eol: string): string {
  const special = value.includes(',') || value.includes('"') || [...eol].some((c) => value.includes(c));
  return special ? `"${value.replace(/"/g, '""')}"` : value;
}

function pandasToCsv(columns: string[], rows: string[][], style: PandasStyle): string {
  const records = [columns, ...rows];
  const body = records
    .map((r) => (r.length === 1 && r[0] === '' ? '""' : r.map((f) => pyField(f, style.eol)).join(',')) + style.eol)
    .join('');
  return (style.bom ? '\ufeff' : '') + body;
}

// Cells that pandas writes and reads back: commas, quotes, embedded line breaks, empty cells
// (NaN), spaces, non-ASCII. (A bare "\r" in a "\n" file is left out on purpose: Python's writer
// does not quote it there, and pandas itself cannot read such a file back.)
const TRICKY_COLUMNS = [...EEGUNITY_COLUMNS, 'MEAN STD', 'Error'];
function trickyRows(eol: string): string[][] {
  const rows: string[][] = [
    ['/d/a, b.fif', 'x', 'standard_data', '(2, 10)', 'Fz, Cz', '2', '250.0', '0.036', 'Completed', '[[1.0, 2.0], [0.5, 0.1]]', ''],
    ['/d/q"uote.csv', 'x', 'csvData', '(1, 5)', 'C3', '1', '125', '0.032', 'Completed', '', ''],
    ['/d/bad.mat', '', 'unknown', 'error', '', '', 'nan', '', 'Unavailable', '', 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad'],
    ['/d/dos.txt', 'y', 'unknown', 'error', '', '', 'nan', '', 'Unavailable', '', `line one${eol === '\r\n' ? '\r\n' : '\n'}line two`],
    ['/d/space.fif', '  padded  ', 'standard_data', '(1, 1)', 'Ünïcödé, 脑电', '1', '256.0', '0.0', 'Completed', '""', '#not a comment'],
    ['', '', '', '', '', '', '', '', '', '', ''],
  ];
  return rows;
}

// Random pandas-style locators: any column names, cells with the characters that need quoting.
// (No bare "\r" in "\n" files, see above.)
const cellArb = (eol: string) =>
  fc.string({
    unit: fc.constantFrom(',', '"', '\n', ' ', 'a', 'Z', '0', '.', '(', 'é', '日', '😀', '\t', "'", '#', ...(eol === '\r\n' ? ['\r'] : [])),
    maxLength: 6,
  });
const nameArb = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', 'é', '_'), minLength: 1, maxLength: 4 });
const locatorArb = (minRows = 0) =>
  fc
    .record({
      eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
      bom: fc.boolean(),
      columns: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 4 }),
    })
    .chain(({ eol, bom, columns }) =>
      fc.record({
        style: fc.constant({ eol, bom }),
        columns: fc.constant(columns),
        rows: fc.array(fc.array(cellArb(eol), { minLength: columns.length, maxLength: columns.length }), {
          minLength: minRows,
          maxLength: 6,
        }),
      }),
    );

/** Line breaks as an editor counts them: \r\n, \r or \n. */
function countLineBreaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

describe('locator I/O', () => {
  const tmp = useTempDir('locator');

  describe('reading', () => {
    it('takes the header row as the columns, in the order of the file', async () => {
      const loc = await readLocator(path.join(SAMPLE_LOCATORS, 'example_locator.csv'));
      assert.deepEqual(loc.columns, EEGUNITY_COLUMNS);
      // 22 lines in the file, no quoted line breaks: 21 rows besides the header
      assert.equal(loc.rows.length, 21);
      assert.equal(loc.rows[0]['File Path'], '/data/eeg/mi_demo/S01E_raw.fif');
    });

    it('gives every value as the exact text of its cell (numbers, nan and empty cells stay strings)', async () => {
      const loc = await readLocator(path.join(SAMPLE_LOCATORS, 'example_locator.csv'));
      for (const row of loc.rows) {
        assert.deepEqual(Object.keys(row), EEGUNITY_COLUMNS);
        for (const v of Object.values(row)) assert.equal(typeof v, 'string');
      }
      const first = loc.rows[0];
      assert.equal(first['Number of Channels'], '25');
      assert.equal(first['Sampling Rate'], '250.0'); // not 250
      assert.equal(first['Duration'], '2747.996');
      assert.equal(first['Data Shape'], '(25, 687000)');
      assert.match(first['Channel Names'], /^Fz, FC3, FC1, .*EOG-right$/);
      const failed = loc.rows.find((r) => r['File Path'] === '/data/eeg/clinical_demo/README.txt')!;
      assert.equal(failed['Sampling Rate'], 'nan');
      assert.equal(failed['Channel Names'], '');
      assert.equal(failed['Data Shape'], 'error');
      const real = await readLocator(path.join(SAMPLE_LOCATORS, 'eegunity_ci_physionet_hmcsleepstaging.csv'));
      assert.equal(real.rows[0]['Duration'], '25649.99609375');
    });

    it('strips a BOM from the first column name and remembers it for writing', async () => {
      const loc = await parseLocator('\ufeffFile Path,Domain Tag\n/a.fif,x\n');
      assert.deepEqual(loc.columns, ['File Path', 'Domain Tag']);
      assert.equal(loc.rows[0]['File Path'], '/a.fif');
      assert.equal(loc.format.bom, true);
      assert.equal(stringifyLocator(loc), '\ufeffFile Path,Domain Tag\n/a.fif,x\n');
    });

    it('reads CRLF files without leaving a \\r in the last column', async () => {
      const loc = await parseLocator('a,b\r\n1,Completed\r\n2,Unavailable\r\n');
      assert.deepEqual(loc.rows, [
        { a: '1', b: 'Completed' },
        { a: '2', b: 'Unavailable' },
      ]);
      assert.equal(loc.format.eol, '\r\n');
    });

    it('reads quoted fields holding commas, doubled quotes and line breaks (LF and CRLF)', async () => {
      for (const eol of ['\n', '\r\n']) {
        const text = ['name,shape,note', `"a, b","(25, 100)","say ""hi""${eol}and bye"`, `plain,"x","multi${eol}${eol}line"`, ''].join(
          eol,
        );
        const loc = await parseLocator(text);
        assert.deepEqual(loc.rows, [
          { name: 'a, b', shape: '(25, 100)', note: `say "hi"${eol}and bye` },
          { name: 'plain', shape: 'x', note: `multi${eol}${eol}line` },
        ]);
      }
    });

    it('keeps extra columns and any column order', async () => {
      const text = 'Source Hash,File Path,MEAN STD,Domain Tag,event_id\nabc,/x.fif,"[1, 2]",dom,"{""a"": 1}"\n';
      const loc = await parseLocator(text);
      assert.deepEqual(loc.columns, ['Source Hash', 'File Path', 'MEAN STD', 'Domain Tag', 'event_id']);
      assert.deepEqual(Object.keys(loc.rows[0]), loc.columns);
      assert.equal(loc.rows[0]['event_id'], '{"a": 1}');
      assert.equal(stringifyLocator(loc), text);
    });
  });

  describe('writing an unchanged locator back, byte for byte', () => {
    for (const name of SAMPLES) {
      it(`real locator ${name}`, async () => {
        const original = readFileSync(path.join(SAMPLE_LOCATORS, name));
        const loc = await readLocator(path.join(SAMPLE_LOCATORS, name));
        const out = path.join(tmp(), `copy-${name}`);
        await writeLocator(out, loc);
        assert.ok(readFileSync(out).equals(original), `${name} changed when written back`);
      });
    }

    const styles: Array<PandasStyle & { label: string }> = [
      { label: 'LF', eol: '\n', bom: false },
      { label: 'CRLF', eol: '\r\n', bom: false },
      { label: 'LF with BOM', eol: '\n', bom: true },
      { label: 'CRLF with BOM', eol: '\r\n', bom: true },
    ];
    for (const style of styles) {
      it(`pandas-style ${style.label} file with quotes, commas, embedded line breaks and empty cells`, async () => {
        const rows = trickyRows(style.eol);
        const text = pandasToCsv(TRICKY_COLUMNS, rows, style);
        const file = writeFixture(tmp(), `pandas-${style.label.replace(/ /g, '_')}.csv`, text);
        const loc = await readLocator(file);
        assert.deepEqual(loc.columns, TRICKY_COLUMNS);
        assert.deepEqual(
          loc.rows.map((r) => TRICKY_COLUMNS.map((c) => r[c])),
          rows,
        );
        const out = path.join(tmp(), `out-${path.basename(file)}`);
        await writeLocator(out, loc);
        assert.ok(readFileSync(out).equals(Buffer.from(text, 'utf8')), 'bytes differ after the round trip');
      });
    }

    it('a one-column locator with empty cells ("" lines, as Python writes them)', async () => {
      const text = pandasToCsv(['Error'], [['x'], [''], ['y'], ['']], { eol: '\n', bom: false });
      assert.equal(text, 'Error\nx\n""\ny\n""\n'); // the generator's own rule, spelled out
      const loc = await parseLocator(text);
      assert.deepEqual(
        loc.rows.map((r) => r['Error']),
        ['x', '', 'y', ''],
      );
      assert.equal(stringifyLocator(loc), text);
    });

    it('a file without a final line end is written back without one', async () => {
      const text = 'a,b\n1,2\n3,"x,y"';
      const loc = await parseLocator(text);
      assert.equal(loc.rows.length, 2);
      assert.equal(stringifyLocator(loc), text);
    });

    it('after editing one cell only that line changes, quoted the pandas way', async () => {
      const original = readFileSync(path.join(SAMPLE_LOCATORS, 'example_locator.csv'), 'utf8');
      const loc = await parseLocator(original);
      loc.rows[3]['Domain Tag'] = 'renamed, with "quotes"';
      const lines = stringifyLocator(loc).split('\n');
      const before = original.split('\n');
      assert.equal(lines.length, before.length);
      const changed = lines.map((l, i) => (l === before[i] ? -1 : i)).filter((i) => i >= 0);
      assert.deepEqual(changed, [4]); // row 3 is line 5 (index 4)
      assert.ok(lines[4].includes(',"renamed, with ""quotes""",'));
    });

    it('random pandas-style locators round-trip (property)', async function () {
      this.timeout(30000);
      await fc.assert(
        fc.asyncProperty(locatorArb(), async ({ style, columns, rows }) => {
          const text = pandasToCsv(columns, rows, style);
          const loc = await parseLocator(text);
          assert.deepEqual(loc.columns, columns);
          assert.deepEqual(
            loc.rows.map((r) => columns.map((c) => r[c])),
            rows,
          );
          assert.equal(stringifyLocator(loc), text);
        }),
        { numRuns: 150 },
      );
    });

    it('the pandas-style generator above writes exactly what Python\'s csv writer writes', function () {
      // Cross-checks the test's own model of pandas' output against the real thing, when Python is there.
      const cases = (['\n', '\r\n'] as const).map((eol) => ({ eol, rows: trickyRows(eol) }));
      const script = [
        'import csv, io, json, sys',
        'out = []',
        'for case in json.load(sys.stdin):',
        '    b = io.StringIO()',
        '    w = csv.writer(b, lineterminator=case["eol"])',
        '    w.writerow(case["columns"])',
        '    w.writerows(case["rows"])',
        '    w.writerow([""])',
        '    out.append(b.getvalue())',
        'sys.stdout.write(json.dumps(out))',
      ].join('\n');
      const input = JSON.stringify(cases.map((c) => ({ ...c, columns: TRICKY_COLUMNS })));
      const res = spawnSync('python3', ['-c', script], { input, encoding: 'utf8' });
      if ((res.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') this.skip(); // no Python here
      assert.equal(res.status, 0, res.stderr);
      const python = JSON.parse(res.stdout) as string[];
      cases.forEach((c, i) => {
        const ours = pandasToCsv(TRICKY_COLUMNS, c.rows, { eol: c.eol, bom: false }) + `""${c.eol}`;
        assert.equal(ours, python[i]);
      });
    });
  });

  describe('a quote inside an unquoted field is text, as pandas.read_csv reads it', () => {
    // Expected values and output below are what pandas 2 gives for these files
    // (read_csv(dtype=str, keep_default_na=False), then to_csv(index=False)).
    it('reads 37°36\'37.8"N as it stands, warns once naming the line and count, and writes it back quoted', async () => {
      const text = 'id,coord,city\n1,x,y\n2095257564,37°36\'37.8"N 121°2\'17.9"W,Modesto\n1,a""b,c\n2, "x",y\n';
      const loc = await parseLocator(text, 'geo.csv');
      assert.deepEqual(
        loc.rows.map((r) => r['coord']),
        ['x', '37°36\'37.8"N 121°2\'17.9"W', 'a""b', ' "x"'],
      );
      assert.equal(loc.rows[1]['city'], 'Modesto');
      assert.equal(loc.warnings?.length, 1);
      const [warning] = loc.warnings!;
      assert.equal(warning.line, 3);
      assert.equal(warning.count, 3);
      assert.match(warning.message, /^line 3: 3 fields hold a double quote inside unquoted text/);
      assert.match(warning.message, /pandas/);
      assert.equal(
        stringifyLocator(loc),
        'id,coord,city\n1,x,y\n2095257564,"37°36\'37.8""N 121°2\'17.9""W",Modesto\n1,"a""""b",c\n2," ""x""",y\n',
      );
    });

    it('a quote that opens a field still starts a quoted field (line breaks and commas inside it)', async () => {
      const text = 'a,b\r\n1,ab"\r\n2,"x,\r\ny"\r\n3,c"d"e"\r\n';
      const loc = await parseLocator(text);
      assert.deepEqual(
        loc.rows.map((r) => r['b']),
        ['ab"', 'x,\r\ny', 'c"d"e"'],
      );
      assert.deepEqual(
        loc.warnings?.map((w) => [w.line, w.count]),
        [[2, 2]],
      );
      assert.equal(stringifyLocator(loc), 'a,b\r\n1,"ab"""\r\n2,"x,\r\ny"\r\n3,"c""d""e"""\r\n');
    });

    it('a well-formed file has no warnings', async () => {
      const loc = await parseLocator('a,b\n1,"x ""q"""\n');
      assert.equal(loc.warnings, undefined);
    });

    const stillRefused: Array<{ name: string; text: string; line: number; says: RegExp }> = [
      { name: 'a quoted field followed by more text ("ab"cd)', text: 'a,b\n1,x"y\n2,"ab"cd\n', line: 3, says: /misplaced quote.*followed by more text/ },
      { name: 'an unclosed quote', text: 'a,b\n1,x"y\n2,"open\n3,4\n', line: 3, says: /never closed/ },
      { name: 'a wrong number of fields', text: 'a,b\n1,x"y\n2,3,4\n', line: 3, says: /header has 2 columns but this row has 3 fields/ },
      { name: 'a stray quote splitting nothing: commas still separate', text: 'a,b\n1,x"y,z"\n', line: 2, says: /this row has 3 fields/ },
      { name: 'duplicate columns', text: 'a,a\n1,x"y\n', line: 1, says: /duplicate column name "a"/ },
    ];
    for (const c of stillRefused) {
      it(`still refuses, naming the line: ${c.name}`, async () => {
        await assert.rejects(parseLocator(c.text, '/ws/q.csv'), (err: unknown) => {
          assert.ok(err instanceof LocatorParseError, String(err));
          assert.equal(err.line, c.line, err.message);
          assert.ok(err.message.startsWith(`/ws/q.csv:${c.line}: `), err.message);
          assert.match(err.message, c.says);
          return true;
        });
      });
    }

    it('a file with quotes inside unquoted fields reads as its pandas-written form, and writes that form (property)', async function () {
      this.timeout(30000);
      // Cells pandas writes unquoted except for a quote somewhere after the first character.
      const plain = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '.', ' ', "'", '°', 'é'), minLength: 1, maxLength: 5 });
      const strayCell = fc
        .tuple(plain, fc.string({ unit: fc.constantFrom('"', 'a', ' ', "'", '°'), maxLength: 5 }))
        .map(([head, tail]) => head + '"' + tail);
      const cell = fc.oneof(plain, strayCell);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
          fc.integer({ min: 1, max: 4 }).chain((n) => fc.array(fc.array(cell, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 6 })),
          async (eol, rows) => {
            const columns = rows[0].map((_, i) => `c${i}`);
            const raw = [columns, ...rows].map((r) => r.join(',') + eol).join('');
            const loc = await parseLocator(raw);
            assert.deepEqual(
              loc.rows.map((r) => columns.map((c) => r[c])),
              rows,
            );
            const pandasText = pandasToCsv(columns, rows, { eol, bom: false });
            assert.equal(stringifyLocator(loc), pandasText);
            const stray = rows.flat().filter((v) => v.includes('"')).length;
            assert.equal(loc.warnings?.[0]?.count, stray || undefined);
            if (stray) {
              const firstRow = rows.findIndex((r) => r.some((v) => v.includes('"')));
              assert.equal(loc.warnings![0].line, firstRow + 2);
            }
            // The written form reads back the same, without a warning.
            const again = await parseLocator(pandasText);
            assert.deepEqual(again.rows, loc.rows);
            assert.equal(again.warnings, undefined);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('a large locator (100k rows, ~25 MB)', () => {
    it('parses completely without blocking the event loop for long', async function () {
      this.timeout(60000);
      // A parser that really blocks fails every attempt, so one retry does not hide it.
      this.retries(1);
      const sample = readFileSync(path.join(SAMPLE_LOCATORS, 'example_locator.csv'), 'utf8').split('\n').slice(1, -1);
      const lines = [[...EEGUNITY_COLUMNS, 'Source Hash'].join(',')];
      for (let i = 0; i < 100_000; i++) {
        const hash = (i * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(8);
        lines.push(`${sample[i % sample.length].replace('/data/eeg/', `/data/eeg/${i}/`)},${hash}`);
      }
      // Through a Buffer, as a file read gives it (one flat string).
      const text = Buffer.from(lines.join('\n') + '\n', 'utf8').toString('utf8');
      assert.ok(text.length > 24e6 && text.length < 30e6, `generated ${text.length} chars`);

      // For each tick interval: wall time, and CPU time this process used. A stretch of our own
      // synchronous work shows up in both; time the OS gave to other processes (this machine is
      // shared) only in the first. So the interval's blocking is the smaller of the two.
      let lastWall = performance.now();
      let lastCpu = process.cpuUsage();
      let longestBlock = 0;
      let longestWallGap = 0;
      const tick = () => {
        const wall = performance.now() - lastWall;
        const cpu = process.cpuUsage(lastCpu);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        longestWallGap = Math.max(longestWallGap, wall);
        longestBlock = Math.max(longestBlock, Math.min(wall, cpuMs));
        lastWall = performance.now();
        lastCpu = process.cpuUsage();
      };
      const ticker = setInterval(tick, 5);
      let loc: Locator;
      try {
        loc = await parseLocator(text, 'big.csv');
      } finally {
        clearInterval(ticker);
      }
      tick(); // the stretch from the last tick to the end of the parse counts too

      assert.equal(loc.rows.length, 100_000);
      assert.deepEqual(loc.columns, [...EEGUNITY_COLUMNS, 'Source Hash']);
      const k = 54_321;
      const expected = lines[k + 1];
      assert.equal(loc.rows[k]['File Path'], expected.split(',')[0]);
      assert.equal(loc.rows[k]['Source Hash'], expected.slice(expected.lastIndexOf(',') + 1));
      assert.equal(loc.rows[k]['Channel Names'], (await parseLocator(`${lines[0]}\n${expected}\n`)).rows[0]['Channel Names']);
      // A responsiveness check, not a speed claim: a 5 ms ticker must never wait 200 ms for us.
      assert.ok(
        longestBlock < 200,
        `the event loop was blocked for ${Math.round(longestBlock)} ms (longest wall-clock gap ${Math.round(longestWallGap)} ms)`,
      );
    });
  });

  describe('malformed CSV: a LocatorParseError naming the exact line', () => {
    const cases: Array<{ name: string; text: string; line: number; says: RegExp }> = [
      { name: 'unclosed quote (runs to the end of the file)', text: 'a,b\n1,2\n3,"4\n5,6\n', line: 3, says: /quoted field is never closed/ },
      {
        name: 'unclosed quote after a record with a quoted line break',
        text: 'a,b\n1,"x\ny"\n3,"4\n5,6\n',
        line: 4,
        says: /never closed/,
      },
      { name: 'unclosed quote after blank lines', text: 'a,b\n1,2\n\n\n3,"4\n5,6\n', line: 5, says: /never closed/ },
      {
        name: 'a quote left open mid-file (the parser trips two lines later)',
        text: 'a,b\n1,2\n3,"oops\n4,5\n6,"x"\n7,8\n',
        line: 3,
        says: /quote/,
      },
      { name: 'a row with more fields than the header', text: 'a,b\n1,2\n3,4\n5,6,7\n', line: 4, says: /header has 2 columns but this row has 3 fields/ },
      { name: 'a row with fewer fields', text: 'a,b\n1,2\n3\n4,5\n', line: 3, says: /header has 2 columns but this row has 1 field/ },
      {
        name: 'fewer fields in a CRLF file with a BOM, after a quoted line break',
        text: '\ufeffa,b\r\n1,"x\r\ny"\r\n3,4\r\n5\r\n',
        line: 5,
        says: /this row has 1 field/,
      },
      { name: 'too many fields in a record that spans two lines', text: 'a,b\n1,2\n3,"x\ny",z\n', line: 3, says: /this row has 3 fields/ },
      { name: 'too many fields after blank lines', text: 'a,b\n\n\n1,2,3\n', line: 4, says: /this row has 3 fields/ },
      { name: 'empty file', text: '', line: 1, says: /empty/ },
      { name: 'only a BOM and blank lines', text: '\ufeff\n\n', line: 1, says: /empty/ },
      { name: 'duplicate header names', text: 'File Path,x,File Path\n1,2,3\n', line: 1, says: /duplicate column name "File Path" \(columns 1 and 3\)/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        await assert.rejects(parseLocator(c.text, '/ws/bad.csv'), (err: unknown) => {
          assert.ok(err instanceof LocatorParseError, `not a LocatorParseError: ${String(err)}`);
          assert.equal(err.line, c.line, err.message);
          assert.ok(err.message.startsWith(`/ws/bad.csv:${c.line}: `), err.message);
          assert.match(err.message, c.says);
          return true;
        });
      });
    }

    it('counts lines correctly deep into a large file (past the first parse chunks)', async () => {
      const body: string[] = ['a,b,c'];
      let line = 1;
      const lineOfRow: number[] = [];
      for (let i = 0; i < 30_000; i++) {
        lineOfRow.push(line + 1);
        if (i % 5 === 0) {
          body.push(`${i},"two\nlines",z`);
          line += 2;
        } else {
          body.push(`${i},y,z`);
          line += 1;
        }
      }
      for (const [bad, replacement, says] of [
        [27_001, '27001,only two', /this row has 2 fields/],
        [21_002, '21002,"never closed,z', /quote/],
      ] as const) {
        const copy = body.slice();
        copy[bad + 1] = replacement;
        await assert.rejects(parseLocator(copy.join('\n') + '\n', 'deep.csv'), (err: unknown) => {
          assert.ok(err instanceof LocatorParseError);
          assert.equal(err.line, lineOfRow[bad], err.message);
          assert.match(err.message, says);
          return true;
        });
      }
    });

    it('names the right line for a broken record anywhere in a random locator (property)', async function () {
      this.timeout(30000);
      await fc.assert(
        fc.asyncProperty(
          locatorArb(),
          fc.nat(),
          fc.constantFrom('fewer', 'more', 'unclosed'),
          fc.nat({ max: 2 }),
          async ({ style, columns, rows }, at, kind, blankLines) => {
            const records = [columns, ...rows].map((r) => pandasToCsv(r, [], { eol: style.eol, bom: false }));
            // The broken record goes after the header, anywhere; an unclosed quote only at the end
            // (a later quote would close it and the rest might even parse).
            const k = kind === 'unclosed' ? records.length : 1 + (at % records.length);
            const broken =
              kind === 'unclosed'
                ? [...columns.slice(1).map(() => 'x'), '"never closed'].join(',')
                : kind === 'fewer' && columns.length > 1
                  ? columns.slice(1).map(() => 'x').join(',')
                  : [...columns, 'extra'].map(() => 'y').join(',');
            const before = (style.bom ? '\ufeff' : '') + records.slice(0, k).join('') + style.eol.repeat(blankLines);
            const text = before + broken + style.eol + records.slice(k).join('');
            const expectedLine = countLineBreaks(before) + 1;
            await assert.rejects(parseLocator(text, 'r.csv'), (err: unknown) => {
              assert.ok(err instanceof LocatorParseError, String(err));
              assert.equal(err.line, expectedLine, `${err.message}\n${JSON.stringify(text)}`);
              return true;
            });
          },
        ),
        { numRuns: 200 },
      );
    });

    it('a CRLF file with quoted CRLF line breaks: lines counted as the editor shows them', async () => {
      // 1: header, 2-3: one record with a quoted CRLF, 4: ok, 5: the quote that never closes
      const text = 'a,b\r\n1,"x\r\ny"\r\n3,4\r\n5,"open\r\n6,7\r\n';
      await assert.rejects(parseLocator(text), (err: unknown) => err instanceof LocatorParseError && err.line === 5);
    });

    it('never splits a character: emoji across every possible chunk boundary survive the parse', async () => {
      // One column; each row is "x" + 200 emoji + "\n". With a header of 2 characters every high
      // surrogate sits at an odd position, with 3 at an even one: whatever size the parser's chunks
      // have, one of the two files puts a chunk boundary inside an emoji, many times over.
      const cell = 'x' + '😀'.repeat(200);
      for (const header of ['t', 'tt']) {
        const text = `${header}\n` + `${cell}\n`.repeat(3000);
        const loc = await parseLocator(text);
        assert.equal(loc.rows.length, 3000);
        const broken = loc.rows.findIndex((r) => r[header] !== cell);
        assert.equal(broken, -1, `row ${broken} was changed: ${JSON.stringify(loc.rows[broken]?.[header]?.slice(0, 12))}...`);
        assert.equal(stringifyLocator(loc), text);
      }
    });

    it('readLocator names the file in the message', async () => {
      const file = writeFixture(tmp(), 'broken.csv', 'a,b\n1,2,3\n');
      await assert.rejects(readLocator(file), new RegExp(`^LocatorParseError: ${escapeRe(file)}:2: `));
      await assert.rejects(readLocator(path.join(tmp(), 'nope.csv')), /Cannot read locator .*nope\.csv/);
    });
  });

  describe('writeLocator never leaves a damaged or half-written target', () => {
    const good: Locator = { columns: ['a', 'b'], rows: [{ a: '1', b: 'x,y' }], format: { bom: false, eol: '\n', finalEol: true } };

    it('writes through a temp file: the result is complete and no temp file is left', async () => {
      const dir = path.join(tmp(), 'ok');
      mkdirSync(dir);
      const file = path.join(dir, 'loc.csv');
      writeFileSync(file, 'old content\n');
      await writeLocator(file, good);
      assert.equal(readFileSync(file, 'utf8'), 'a,b\n1,"x,y"\n');
      assert.deepEqual(readdirSync(dir), ['loc.csv']);
    });

    it('a locator that cannot be written (circular cell, missing columns) leaves the target untouched', async () => {
      const dir = path.join(tmp(), 'bad-input');
      mkdirSync(dir);
      const file = path.join(dir, 'loc.csv');
      writeFileSync(file, 'precious\n');
      const mtime = statSync(file).mtimeMs;
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const bad = [
        { columns: ['a'], rows: [{ a: circular }] },
        { columns: undefined, rows: [] },
        { columns: ['a'], rows: null },
      ] as unknown as Locator[];
      for (const loc of bad) await assert.rejects(writeLocator(file, loc));
      assert.equal(readFileSync(file, 'utf8'), 'precious\n');
      assert.equal(statSync(file).mtimeMs, mtime);
      assert.deepEqual(readdirSync(dir), ['loc.csv']);
    });

    it('a target in a missing folder, or a folder as target, fails without creating or changing anything', async () => {
      const dir = path.join(tmp(), 'bad-path');
      mkdirSync(path.join(dir, 'a-folder'), { recursive: true });
      writeFileSync(path.join(dir, 'a-folder', 'inside.txt'), 'keep');
      await assert.rejects(writeLocator(path.join(dir, 'missing', 'loc.csv'), good), /ENOENT/);
      await assert.rejects(writeLocator(path.join(dir, 'a-folder'), good));
      assert.deepEqual(readdirSync(dir), ['a-folder']);
      assert.deepEqual(readdirSync(path.join(dir, 'a-folder')), ['inside.txt']);
      assert.equal(readFileSync(path.join(dir, 'a-folder', 'inside.txt'), 'utf8'), 'keep');
    });
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
