'use strict';
// This benchmark's own process tree (this process, code-server, chromium, extension hosts,
// workers), from /proc: CPU time and memory by role, and the share of the machine others used.

const os = require('os');
const fs = require('fs');
const { report, procTree, sleep, fmt } = require('./common');

/** What a process of our tree is, for per-role CPU and memory. */
function roleOf(pid, cmd, parentRole) {
  if (pid === process.pid) return 'bench (this process)';
  if (/--type=extensionHost/.test(cmd)) return 'extension host';
  if (parentRole === 'extension host' || parentRole === 'extension host children') return 'extension host children';
  if (/chrom/i.test(cmd)) return /--type=renderer/.test(cmd) ? 'chromium renderer' : 'chromium (browser, gpu, utility)';
  if (/code-server|entry\.js|server-main|bootstrap-fork/.test(cmd)) return 'code-server';
  return 'other';
}

function bootTicks() {
  try {
    return Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100;
  } catch {
    return 0;
  }
}

/**
 * CPU meter over a stretch of time: the machine's busy share (/proc/stat) split into ours (every
 * process of this benchmark's tree, sampled every 250 ms, so processes that start and end in
 * between are counted too) and everybody else's.
 */
function cpuMeter() {
  const startTick = bootTicks();
  const a = report.procStat();
  const seen = new Map(); // pid:start -> { base, last, role }
  const sample = () => {
    const roles = new Map();
    for (const pid of procTree.treePids(process.pid)) {
      const st = procTree.readStat(pid);
      if (!st) continue;
      const key = `${pid}:${st.start}`;
      let e = seen.get(key);
      if (!e) {
        const parent = [...seen.values()].find((x) => x.pid === st.ppid && x.alive);
        e = { pid, base: st.start >= startTick ? 0 : st.cpu, last: st.cpu, role: roleOf(pid, procTree.cmdline(pid), roles.get(st.ppid) ?? parent?.role), alive: true };
        seen.set(key, e);
      }
      e.last = st.cpu;
      roles.set(pid, e.role);
    }
  };
  sample();
  const timer = setInterval(sample, 250);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const b = report.procStat();
      let ours = 0;
      const byRole = {};
      for (const e of seen.values()) {
        const d = Math.max(0, e.last - e.base);
        ours += d;
        byRole[e.role] = (byRole[e.role] ?? 0) + d * report.TICK_MS;
      }
      if (!a || !b || b.total === a.total) return { othersShare: NaN, oursShare: NaN, byRoleMs: byRole };
      const total = b.total - a.total;
      return { othersShare: Math.max(0, (b.busy - a.busy - ours) / total), oursShare: ours / total, byRoleMs: byRole, seconds: (total / os.cpus().length) / 100 };
    },
  };
}

/** Share of the machine's CPU time other processes kept busy over `ms`. */
async function machineBusy(ms) {
  const m = cpuMeter();
  await sleep(ms);
  return m.stop().othersShare;
}

/** RSS (MB) of our tree by role. */
function rssByRole() {
  const out = {};
  const roles = new Map();
  for (const pid of procTree.treePids(process.pid)) {
    const st = procTree.readStat(pid);
    if (!st) continue;
    const role = roleOf(pid, procTree.cmdline(pid), roles.get(st.ppid));
    roles.set(pid, role);
    out[role] = (out[role] ?? 0) + (procTree.readStatus(pid)?.rssKb ?? 0) / 1024;
  }
  return out;
}

/** "extension host 1.2 s, chromium renderer 3.4 s, ..." from several cpuMeter results (median per role). */
function roleTable(meters) {
  const roles = new Set(meters.flatMap((m) => Object.keys(m.byRoleMs)));
  const parts = [...roles]
    .map((role) => [role, report.median(meters.map((m) => m.byRoleMs[role] ?? 0))])
    .filter(([, ms]) => ms >= 50)
    .sort((a, b) => b[1] - a[1])
    .map(([role, ms]) => `${role} ${fmt(ms / 1000, 1)}`);
  const others = report.median(meters.map((m) => m.othersShare));
  return parts.join(', ') + (Number.isFinite(others) ? ` (other processes: ${fmt(others * 100)}% of the machine)` : '');
}

module.exports = { cpuMeter, machineBusy, rssByRole, roleTable };
