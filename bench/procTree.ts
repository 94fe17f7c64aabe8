// A process tree (a process plus its children, e.g. a pool's workers) read from /proc: its processes,
// their CPU time and their memory. Used by both benchmarks (bench/vscode.js through out/bench/).
// `/usr/bin/time -v` reports only the largest single process, which hides the workers.
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'fs';

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

/**
 * From /proc/PID/stat: the parent, the CPU ticks used (user + system), those of the children it
 * reaped (cutime + cstime) and the start (ticks after boot).
 */
export function readStat(pid: number): { ppid: number; cpu: number; reapedCpu: number; start: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // f[0] = state (field 3); utime = field 14, stime = 15, cutime = 16, cstime = 17, starttime = 22
    return { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]), reapedCpu: Number(f[13]) + Number(f[14]), start: Number(f[19]) };
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

const PAGE = 4096;

/**
 * The physical pages (page frame numbers) of every resident page of `pid`'s file-backed mappings (the
 * node binary, libraries), from /proc/PID/maps and /proc/PID/pagemap. Undefined when the kernel hides
 * the frame numbers (they read as 0 without CAP_SYS_ADMIN) or the process is gone.
 */
export function filePageFrames(pid: number): Set<number> | undefined {
  let fd: number | undefined;
  try {
    const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    fd = openSync(`/proc/${pid}/pagemap`, 'r');
    const frames = new Set<number>();
    let present = 0;
    for (const line of maps.split('\n')) {
      // start-end perms offset dev inode path; inode 0: anonymous (heap, stack, [vdso]).
      const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)/.exec(line);
      if (!m || m[3] === '0') continue;
      const first = parseInt(m[1], 16) / PAGE;
      const count = (parseInt(m[2], 16) - parseInt(m[1], 16)) / PAGE;
      const words = new Uint32Array(count * 2); // little-endian 64-bit entries, as this machine's
      readSync(fd, words, 0, words.byteLength, first * 8);
      for (let i = 0; i < count; i++) {
        const hi = words[2 * i + 1];
        // Bit 63: present; bit 61: a page of the file (a private page copied on write is anonymous,
        // counted in the process's RssAnon already).
        if ((hi & 0xa0000000) >>> 0 !== 0xa0000000) continue;
        present++;
        frames.add((hi & 0x7fffff) * 2 ** 32 + words[2 * i]); // bits 0-54: the frame
      }
    }
    if (present > 0 && frames.size === 1 && frames.has(0)) return undefined; // frame numbers hidden
    return frames;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}


export interface TreeMemory {
  /** Largest sum of VmRSS over the tree seen in one sample (file-backed pages counted once per process). */
  peakTreeRssMb: number;
  /**
   * Largest memory the tree took in one sample: every process's own pages (RssAnon + RssShmem) plus
   * its file-backed pages once. Every process of a pool maps the same node binary (~40 MB resident
   * each here), which a sum of VmRSS counts once per process.
   */
  peakTreeMb: number;
  /**
   * How the file-backed pages were counted once: 'page frames', the distinct physical pages of every
   * process's file mappings (exact; needs root); else 'largest process', the largest RssFile (a lower bound).
   */
  fileCounted: 'page frames' | 'largest process';
  /** Sum over every process ever seen of its own peak (VmHWM): an upper bound of the tree's peak RSS sum. */
  sumOfPeaksMb: number;
  /** Most processes seen at once. */
  maxProcesses: number;
  samples: number;
}

/**
 * Samples the tree under `root` every `everyMs` until stopped. The file-backed pages (which barely
 * change during a run) are counted by page frame every 0.5 s, the rest every sample.
 */
export function sampleTree(root: number, everyMs = 10): { stop(): TreeMemory } {
  let peakRss = 0;
  let peakTree = 0;
  let maxProcesses = 0;
  let samples = 0;
  let fileUnionKb: number | undefined;
  let framesHidden = false;
  const hwm = new Map<number, number>();
  const countFilePages = (pids: number[]) => {
    const union = new Set<number>();
    for (const pid of pids) {
      const frames = filePageFrames(pid);
      if (!frames) {
        if (readStatus(pid)) framesHidden = true; // alive, yet no frame numbers
        continue;
      }
      for (const f of frames) union.add(f);
    }
    fileUnionKb = framesHidden ? undefined : (union.size * PAGE) / 1024;
  };
  const sample = () => {
    let rss = 0;
    let own = 0;
    let largestFile = 0;
    let n = 0;
    const pids = treePids(root);
    // ~20-40 ms a process (the kernel walks its page tables): twice a second is enough.
    if (samples % Math.max(1, Math.round(500 / everyMs)) === 0 && !framesHidden) countFilePages(pids);
    for (const pid of pids) {
      const s = readStatus(pid);
      if (!s) continue;
      rss += s.rssKb;
      own += s.anonKb + s.shmemKb;
      largestFile = Math.max(largestFile, s.fileKb);
      n++;
      hwm.set(pid, Math.max(hwm.get(pid) ?? 0, s.hwmKb));
    }
    samples++;
    peakRss = Math.max(peakRss, rss);
    peakTree = Math.max(peakTree, own + Math.max(fileUnionKb ?? 0, largestFile));
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
      return {
        peakTreeRssMb: peakRss / 1024,
        peakTreeMb: peakTree / 1024,
        fileCounted: framesHidden ? 'largest process' : 'page frames',
        sumOfPeaksMb: sumOfPeaks / 1024,
        maxProcesses,
        samples,
      };
    },
  };
}
