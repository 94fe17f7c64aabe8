// Memory of a whole process tree (a process plus its children, e.g. a pool's workers), from /proc.
// `/usr/bin/time -v` reports only the largest single process, which hides the workers.
import { readFileSync, readdirSync } from 'fs';

function readStatus(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(text);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(text);
    if (!rss) return undefined; // a zombie has no memory lines
    return { rssKb: Number(rss[1]), hwmKb: hwm ? Number(hwm[1]) : Number(rss[1]) };
  } catch {
    return undefined; // exited between listing and reading
  }
}

function childrenOf(pid: number): number[] {
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

export interface TreeMemory {
  /** Largest sum of VmRSS over the tree seen in one sample. */
  peakTreeRssMb: number;
  /** Sum over every process ever seen of its own peak (VmHWM): an upper bound of the tree's peak. */
  sumOfPeaksMb: number;
  /** Most processes seen at once. */
  maxProcesses: number;
  samples: number;
}

/** Samples the tree under `root` every `everyMs` until stopped. */
export function sampleTree(root: number, everyMs = 10): { stop(): TreeMemory } {
  let peak = 0;
  let maxProcesses = 0;
  let samples = 0;
  const hwm = new Map<number, number>();
  const sample = () => {
    let sum = 0;
    let n = 0;
    for (const pid of treePids(root)) {
      const s = readStatus(pid);
      if (!s) continue;
      sum += s.rssKb;
      n++;
      hwm.set(pid, Math.max(hwm.get(pid) ?? 0, s.hwmKb));
    }
    samples++;
    peak = Math.max(peak, sum);
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
      return { peakTreeRssMb: peak / 1024, sumOfPeaksMb: sumOfPeaks / 1024, maxProcesses, samples };
    },
  };
}
