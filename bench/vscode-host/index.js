'use strict';
// Extension-host entry of bench/vscode.js: used as extensionTestsPath, so it runs inside a real,
// fresh extension host. It times the first activation of Locator Batch through the API and prints
// one line `LB_BENCH_ACTIVATION {json}` that bench/vscode.js picks out of the host's output.
// Plain CommonJS, no build step.
//
// What is measured:
// - activateMs: `await vscode.extensions.getExtension(ID).activate()`, wall clock, the extension
//   not active before. It includes whatever else the host's event loop does meanwhile.
// - loadMs / activateCallMs: the same split VS Code keeps for "Developer: Show Running Extensions"
//   (code loading, then the activate() call until its promise settles), taken by wrapping Node's
//   Module._load for the extension's main file only.
// - cpuMs: CPU time of the whole extension-host process over the activation.
// Before activating, the host is left to settle (its built-in extensions start on their own
// events, the workbench is still loading in the browser) until its event loop has been quiet and
// the machine's CPUs less than half busy for a second, at most QUIET_MAX_MS; how long that took and
// whether it settled is reported.
// Env LB_BENCH_PROFILE=FILE.cpuprofile also writes a CPU profile of the activation.

const fs = require('fs');
const Module = require('module');
const path = require('path');
const { performance } = require('perf_hooks');
const vscode = require('vscode');

const ID = 'locator-batch.locator-batch';
const QUIET_MAX_MS = 8000;
const QUIET_FOR_MS = 1000;
const QUIET_LAG_MS = 15;
const QUIET_CPU = 0.5;

exports.run = async function run() {
  const ext = vscode.extensions.getExtension(ID);
  if (!ext) throw new Error(`extension ${ID} is not installed in this host`);
  const out = { id: ID, path: ext.extensionPath, wasActive: ext.isActive, hostUptimeMs: Math.round(process.uptime() * 1000) };
  const main = require.resolve(path.resolve(ext.extensionPath, ext.packageJSON.main || 'index.js'));
  // Installed before anything else: the extension activates on onStartupFinished, which VS Code may
  // fire while this host settles; its own activation is then the one timed (as VS Code times it).
  const split = splitActivation(main);
  const features = timeLoadOf(path.join(path.dirname(main), 'extension-features.js'));
  if (!ext.isActive) {
    Object.assign(out, await settle());
    out.activatedBy = ext.isActive ? 'VS Code (onStartupFinished, while the host settled)' : 'this probe (the API)';
    if (!ext.isActive) {
      const heap0 = process.memoryUsage().heapUsed;
      const profile = process.env.LB_BENCH_PROFILE ? await startProfile() : undefined;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await ext.activate();
      out.activateMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      out.cpuMs = (cpu.user + cpu.system) / 1000;
      if (profile) out.profile = await profile.stop(process.env.LB_BENCH_PROFILE);
      out.heapGrowthMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    }
    split.restore();
    out.loadMs = split.loadMs;
    out.activateCallMs = split.activateCallMs;
    // The same call again: the API round trip alone, for scale.
    const t1 = performance.now();
    await ext.activate();
    out.secondCallMs = performance.now() - t1;
    // What activation no longer loads is loaded by the first command: Cancel Run with no run going
    // (it only says so), timed from the call to its answer, and the part of it that loads the rest.
    const t2 = performance.now();
    await vscode.commands.executeCommand('locatorBatch.cancelRun');
    out.firstCommandMs = performance.now() - t2;
    out.featuresLoadMs = features.ms();
  } else {
    split.restore();
  }
  features.restore();
  // For scale: what one `import * as vscode from 'vscode'` costs in an esbuild CJS bundle
  // (__toESM copies every property of the API object into a new namespace object).
  out.vscodeApiKeys = Object.getOwnPropertyNames(vscode).length;
  out.toEsmCopyMs = timeToEsmCopy(vscode);
  out.isActive = ext.isActive;
  out.commands = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('locatorBatch.')).length;
  console.log(`LB_BENCH_ACTIVATION ${JSON.stringify(out)}`);
};

/** Times the first Module._load of `file` (undefined if it is not loaded, e.g. an older build has no such file). */
function timeLoadOf(file) {
  let ms;
  const original = Module._load;
  const wrapper = function (request, parent, isMain) {
    let resolved;
    try {
      resolved = Module._resolveFilename(request, parent, isMain);
    } catch {
      return original.apply(this, arguments);
    }
    if (resolved !== file || ms !== undefined) return original.apply(this, arguments);
    const t0 = performance.now();
    try {
      return original.apply(this, arguments);
    } finally {
      ms = performance.now() - t0;
    }
  };
  Module._load = wrapper;
  return { ms: () => ms, restore: () => { if (Module._load === wrapper) Module._load = original; } };
}

/** Median time of esbuild's __toESM(require('vscode')) (its helpers, copied), over 11 copies. */
function timeToEsmCopy(mod) {
  const copy = (from) => {
    const to = Object.create(Object.getPrototypeOf(from));
    let desc;
    for (const key of Object.getOwnPropertyNames(from)) {
      if (!Object.prototype.hasOwnProperty.call(to, key)) {
        Object.defineProperty(to, key, { get: () => from[key], enumerable: !(desc = Object.getOwnPropertyDescriptor(from, key)) || desc.enumerable });
      }
    }
    Object.defineProperty(to, 'default', { value: from, enumerable: true });
    return to;
  };
  const times = [];
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    copy(mod);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[5];
}

/**
 * Waits until timers fire on time (lag < QUIET_LAG_MS) and, where /proc/stat exists, the machine's
 * CPUs are less than QUIET_CPU busy (the workbench in the browser is still loading when the tests
 * start, on the same cores), both for QUIET_FOR_MS; at most QUIET_MAX_MS.
 */
async function settle() {
  const t0 = performance.now();
  let quietSince = t0;
  let maxLag = 0;
  let cpu = procStat();
  let lastBusy = NaN;
  for (;;) {
    const before = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    const now = performance.now();
    const lag = now - before - 50;
    maxLag = Math.max(maxLag, lag);
    if (lag > QUIET_LAG_MS) quietSince = now;
    // The machine's busy share over the last ~250 ms.
    if (cpu && now - cpu.at >= 250) {
      const next = procStat();
      if (next.total > cpu.total) lastBusy = (next.busy - cpu.busy) / (next.total - cpu.total);
      cpu = next;
      if (lastBusy > QUIET_CPU) quietSince = now;
    }
    const res = { settleMs: Math.round(now - t0), machineBusy: Number.isFinite(lastBusy) ? Math.round(lastBusy * 100) / 100 : undefined };
    if (now - quietSince >= QUIET_FOR_MS) return { ...res, settled: true };
    if (now - t0 > QUIET_MAX_MS) return { ...res, settled: false, settleMaxLagMs: Math.round(maxLag) };
  }
}

function procStat() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - f[4], total, at: performance.now() };
  } catch {
    return undefined;
  }
}

/**
 * Times the loading of `main` and its activate() call by wrapping Module._load for that file: the
 * host gets a copy of the exports whose activate() is timed (esbuild's exports are getters that
 * cannot be replaced in place).
 */
function splitActivation(main) {
  const res = { loadMs: undefined, activateCallMs: undefined };
  const original = Module._load;
  const wrapper = function (request, parent, isMain) {
    let file;
    try {
      file = Module._resolveFilename(request, parent, isMain);
    } catch {
      return original.apply(this, arguments);
    }
    if (file !== main || res.loadMs !== undefined) return original.apply(this, arguments);
    const t0 = performance.now();
    const exp = original.apply(this, arguments);
    res.loadMs = performance.now() - t0;
    if (!exp || typeof exp.activate !== 'function') return exp;
    const wrapped = { ...exp };
    wrapped.activate = function (...args) {
      const t1 = performance.now();
      const settled = () => { res.activateCallMs = performance.now() - t1; };
      let r;
      try {
        r = exp.activate.apply(this, args);
      } catch (e) {
        settled();
        throw e;
      }
      if (r && typeof r.then === 'function') return r.then((v) => { settled(); return v; }, (e) => { settled(); throw e; });
      settled();
      return r;
    };
    return wrapped;
  };
  Module._load = wrapper;
  // Unwrapped by passing through once restored (another wrapper may sit on top of this one).
  let restored = false;
  const inner = wrapper;
  Module._load = function (...a) {
    return restored ? original.apply(this, a) : inner.apply(this, a);
  };
  return { ...res, restore() { restored = true; Object.assign(this, res); } };
}

async function startProfile() {
  const inspector = require('inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await post('Profiler.stop');
      session.disconnect();
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
