// docs/benchmarks.md's figures come from the committed raw JSON (issue 12, item 7): the doc's
// generated block is what bench/benchDoc.js renders from bench/results/*.json, and the renderer shows
// the latest run in full and the other runs' range, not their best.
import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Check {
  target: string;
  measured: string;
  pass: boolean;
}
interface BenchDoc {
  render(dir?: string): string;
  withBlock(doc: string, block: string): string;
  DOC: string;
}

// Plain JS: it runs without the TypeScript build.
const benchDoc = require(path.resolve(__dirname, '../../../bench/benchDoc.js')) as BenchDoc;

describe('docs/benchmarks.md from the committed benchmark JSON', () => {
  it('the doc holds exactly what bench/results/*.json gives (run `node bench/benchDoc.js` after a bench run)', () => {
    const doc = fs.readFileSync(benchDoc.DOC, 'utf8');
    assert.equal(benchDoc.withBlock(doc, benchDoc.render()), doc);
  });

  it('shows the latest run in full and, beside each of its targets, the lowest and highest of the other runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-bench-doc-'));
    const run = (date: string, text: string, checks: Check[]) => ({ date, command: 'npm run bench', text, checks });
    const target = 'async (32) ≥ 28× sequential';
    const write = (file: string, body: object) => fs.writeFileSync(path.join(dir, file), JSON.stringify(body));
    write('2026-12-01-1000.json', run('2026-12-01T10:00:00Z', '# old run\nold text', [{ target, measured: '29.5×', pass: true }]));
    write('2026-12-01-1200.json', run('2026-12-01T12:00:00Z', '# older best\n', [{ target, measured: '31.0×', pass: true }]));
    write('2026-12-02-0900.json', run('2026-12-02T09:00:00Z', '# Latest\n\n## Section\n\n| a | b |\n|---|---|\n| 1 | 2 |', [{ target, measured: '23.2×', pass: false }]));
    write('2026-12-02-0910-vscode.json', run('2026-12-02T09:10:00Z', '# In VS Code\nfirst rows 0.4 s', [{ target: 'first rows', measured: '0.4 s', pass: true }]));
    fs.writeFileSync(path.join(dir, 'notes.json'), '{}'); // not a run: ignored

    const block = benchDoc.render(dir);
    assert.match(block, /### Engine: 2026-12-02 09:00 UTC/);
    assert.match(block, /#### Section\n\n\| a \| b \|/, 'the latest report in full, its headings below the doc\'s');
    assert.doesNotMatch(block, /old text/, 'an older run is not printed');
    assert.match(block, /### In a real VS Code: 2026-12-02 09:10 UTC/);
    const row = block.split('\n').find((l) => l.startsWith(`| ${target} |`));
    assert.ok(row, block);
    assert.match(row, /\| 23\.2× \| FAIL \| 2 runs, 2 passed: 29\.5× … 31\.0× \|/);
    assert.match(block, /\| first rows \| 0\.4 s \| PASS \| not measured in another committed run \|/);
    assert.match(block, /1 of 2 targets passed in the latest runs/);
  });
});
