// How much of the machine's CPU other processes took while we measured: /proc/stat's busy time minus
// the CPU time of our own process tree (this process, every live descendant, and every descendant
// they reaped), over the same interval. The tree is read from /proc, so a case child's pool workers
// count as ours while they live and, once reaped, through their parent's cutime.
import { procStat } from './report';
import { readStat, treePids } from './procTree';

export interface Share {
  /** Share of the whole machine (all cores) busy with processes outside our tree. */
  othersShare: number;
  /** Share of the whole machine our tree used. */
  oursShare: number;
}

/**
 * CPU ticks of the tree under `root`, reaped descendants included. A process that exits and is reaped
 * between the listing and the reads would be counted nowhere: the tree is listed again after the
 * reads, and read again when it changed (a few tries).
 */
export function treeTicks(root: number = process.pid): number {
  let pids = treePids(root);
  for (let attempt = 0; ; attempt++) {
    let ticks = 0;
    for (const pid of pids) {
      const st = readStat(pid); // gone meanwhile: 0
      ticks += st ? st.cpu + st.reapedCpu : 0;
    }
    const after = treePids(root);
    if (attempt >= 3 || (after.length === pids.length && after.every((p, i) => p === pids[i]))) return ticks;
    pids = after;
  }
}

/**
 * Starts measuring now; the function returned gives the shares since then. NaN where /proc is
 * missing. A process of ours that outlives its parent is reparented away from the tree and its CPU
 * counts as others' (the benchmark ends its pools before a case exits, so it should not happen).
 */
export function machineMeter(root: number = process.pid): () => Share {
  const snap = () => {
    const s = procStat();
    return s && { ...s, ours: treeTicks(root) };
  };
  const a = snap();
  return () => {
    const b = snap();
    if (!a || !b || b.total === a.total) return { othersShare: NaN, oursShare: NaN };
    const ours = Math.max(0, b.ours - a.ours);
    const total = b.total - a.total;
    return { othersShare: Math.max(0, (b.busy - a.busy - ours) / total), oursShare: ours / total };
  };
}
