// A/B of process-mode dispatch changes on a fresh pool (temporary LB_AB_* switches read by
// src/core/backends.ts while this ran; removed after). Every variant is the same build, its own
// bench case process (bench/caseChild.ts) with one env switch flipped, beside the raw floor; every
// case runs once per round, the order reversed every other round.
//   node ab.js CONFIG ROUNDS OUT.json     CONFIG: fresh10k | guard
const os = require('os');
const fs = require('fs');
const { CaseChild, rounds } = require('/work/wt-freshpool/out/bench/caseChild');

(async () => {
  const [config, roundsArg, outFile] = process.argv.slice(2);
  const R = Number(roundsArg || 8);
  const variants = JSON.parse(process.env.AB_VARIANTS || '{"base":{}}');
  const kids = {};
  const fresh = { kind: 'engine', mode: 'process', workers: 2, rows: 10000, fixture: 'trivial', warmup: true };
  if (config === 'fresh10k') {
    kids.floor = await CaseChild.start({ kind: 'floor', rows: 10000, serialization: 'advanced', chunkRows: 256, children: 2 });
    for (const [name, env] of Object.entries(variants)) kids[name] = await CaseChild.start(fresh, { ...process.env, ...env });
  } else {
    // Guards: 100k rows on a warm pool, and 200 CPU-bound rows of ~20 ms on a fresh pool.
    const [cal] = await rounds([{ kind: 'calibrate', targetMs: 20 }], 0);
    const iters = cal.info.iters;
    const warm = { kind: 'engine', mode: 'process', workers: 2, rows: 100000, fixture: 'trivial', warmup: true, keepWorkers: true };
    const cpu = { kind: 'engine', mode: 'process', workers: 2, rows: 200, fixture: 'busy', iters, warmup: false };
    kids['cpu-floor-fresh'] = await CaseChild.start({ kind: 'cpu-floor', rows: 200, children: 2, iters, fresh: true });
    for (const [name, env] of Object.entries(variants)) {
      kids[`warm100k-${name}`] = await CaseChild.start(warm, { ...process.env, ...env });
      kids[`cpu200-${name}`] = await CaseChild.start(cpu, { ...process.env, ...env });
    }
  }
  const names = Object.keys(kids);
  const ms = Object.fromEntries(names.map((n) => [n, []]));
  const cpuMs = Object.fromEntries(names.map((n) => [n, []]));
  const load = [];
  for (let r = 0; r < R; r++) {
    load.push(os.loadavg());
    for (const n of r % 2 ? [...names].reverse() : names) { const s = await kids[n].run(); ms[n].push(s.ms); cpuMs[n].push(s.cpuMs); }
    console.log(`round ${r} load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}: ` + names.map((n) => `${n} ${ms[n][r].toFixed(0)}`).join(', '));
  }
  await Promise.all(names.map((n) => kids[n].end()));
  const med = (a) => { const b = [...a].sort((x, y) => x - y); return b.length % 2 ? b[b.length >> 1] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2; };
  const out = { date: new Date().toISOString(), config, rounds: R, variants, machine: { nproc: os.cpus().length, node: process.version }, loadavgPerRound: load, ms, cpuMs, medianCpuMs: {}, median: {}, perRoundRatio: {} };
  const ref = config === 'fresh10k' ? 'floor' : null;
  for (const n of names) { out.median[n] = med(ms[n]); out.medianCpuMs[n] = med(cpuMs[n]); }
  const base = Object.keys(variants)[0];
  for (const n of names) {
    if (ref && n !== ref) out.perRoundRatio[`${n}/floor`] = ms[n].map((x, i) => x / ms[ref][i]);
    const m = /^(.*-)?([^-]+)$/.exec(n);
    const pre = config === 'fresh10k' ? '' : n.slice(0, n.lastIndexOf('-') + 1);
    const v = config === 'fresh10k' ? n : n.slice(n.lastIndexOf('-') + 1);
    if (v !== base && variants[v] && ms[pre + base]) out.perRoundRatio[`${n}/${pre + base}`] = ms[n].map((x, i) => x / ms[pre + base][i]);
  }
  console.log('median cpu ms (parent + its reaped workers):', Object.entries(out.medianCpuMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
  console.log('median ms:', Object.entries(out.median).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
  for (const [k, v] of Object.entries(out.perRoundRatio)) console.log(`${k}: median ${med(v).toFixed(3)} [${Math.min(...v).toFixed(3)}–${Math.max(...v).toFixed(3)}] rounds ${v.map((x) => x.toFixed(2)).join(' ')}`);
  if (outFile) fs.writeFileSync(outFile, JSON.stringify(out, null, 1));
  process.exit(0);
})();
