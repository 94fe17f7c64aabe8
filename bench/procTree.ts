// A process tree (a process plus its children, e.g. a pool's workers) read from /proc: its processes,
// their CPU time and their memory. Used by both benchmarks (bench/vscode.js through out/bench/).
// `/usr/bin/time -v` reports only the largest single process, which hides the workers.
import { readFileSync, readdirSync } from 'fs';

/**
 * One process's memory from /proc/PID/status: VmRSS and VmHWM, and VmRSS split into its anonymous
 * (private heap), file-backed (the node binary and libraries, shared by every process that maps
 * them) and shared-memory pages. Undefined when it is gone (or a zombie).
 */
export function readStatus(pid: number): { rssKb: number; hwmKb: number; anonKb: number; fileKb: number; shmemKb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => {
      const m = new RegExp(`${name}:\\s+(\\d+) kB`).exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const rss = kb('VmRSS');
    if (rss === undefined) return undefined; // a zombie has no memory lines
    return { rssKb: rss, hwmKb: kb('VmHWM') ?? rss, anonKb: kb('RssAnon') ?? rss, fileKb: kb('RssFile') ?? 0, shmemKb: kb('RssShmem') ?? 0 };
  } catch {
    return undefined; // exited between listing and reading
  }
}

/** The children of a process, from /proc/PID/task/TID/children of each of its threads. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (text) for (const c of text.split(/\s+/)) out.push(Number(c));
      } catch {
        // thread gone
      }
    }
  } catch {
    // process gone
  }
  return out;
}

/** `root` and every process under it. */
export function treePids(root: number): number[] {
  const seen: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    seen.push(pid);
    stack.push(...childrenOf(pid));
  }
  return seen;
}

/** From /proc/PID/stat: the parent, the CPU ticks used (user + system) and the start (ticks after boot). */
export function readStat(pid: number): { ppid: number; cpu: number; start: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // f[0] = state (field 3); utime = field 14, stime = 15, starttime = 22
    return { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]), start: Number(f[19]) };
  } catch {
    return undefined;
  }
}

/** The command line of a process, its arguments joined by spaces ('' when it is gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

export interface TreeMemory {
  /** Largest sum of VmRSS over the tree seen in one sample (file-backed pages counted once per process). */
  peakTreeRssMb: number;
  /**
   * Largest memory the tree took in one sample: every process's own pages (RssAnon + RssShmem) plus
   * the file-backed pages once, the largest process's RssFile. Every process of the tree maps the same
   * node binary (~40 MB resident each here); summing VmRSS counts those pages once per process.
   */
  peakTreeMb: number;
  /** Sum over every process ever seen of its own peak (VmHWM): an upper bound of the tree's peak RSS sum. */
  sumOfPeaksMb: number;
  /** Most processes seen at once. */
  maxProcesses: number;
  samples: number;
}

/** Samples the tree under `root` every `everyMs` until stopped. */
export function sampleTree(root: number, everyMs = 10): { stop(): TreeMemory } {
  let peakRss = 0;
  let peakOwn = 0;
  let maxProcesses = 0;
  let samples = 0;
  const hwm = new Map<number, number>();
  const sample = () => {
    let rss = 0;
    let own = 0;
    let file = 0;
    let n = 0;
    for (const pid of treePids(root)) {
      const s = readStatus(pid);
      if (!s) continue;
      rss += s.rssKb;
      own += s.anonKb + s.shmemKb;
      file = Math.max(file, s.fileKb);
      n++;
      hwm.set(pid, Math.max(hwm.get(pid) ?? 0, s.hwmKb));
    }
    samples++;
    peakRss = Math.max(peakRss, rss);
    peakOwn = Math.max(peakOwn, own + file);
    maxProcesses = Math.max(maxProcesses, n);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      let sumOfPeaks = 0;
      for (const v of hwm.values()) sumOfPeaks += v;
      return { peakTreeRssMb: peakRss / 1024, peakTreeMb: peakOwn / 1024, sumOfPeaksMb: sumOfPeaks / 1024, maxProcesses, samples };
    },
  };
}
