"""Python baseline for bench/index.ts: what EEGUnity's batch_process costs per row.

It does what the original does (see shared/docs/batch-semantics.md), written from its semantics:
rows are pandas Series from DataFrame.iterrows(), con_func runs first for every row giving
(index, row, should_apply) tasks, then the dispatcher runs app_func:
  - process: ProcessPoolExecutor, app_func shipped with cloudpickle, one task per row (map's
    default chunksize=1), results merged back by position;
  - thread:  ThreadPoolExecutor.map over the tasks;
  - sequential: a plain loop.
The pool is created inside each call, as the original does. Timed: building the tasks (iterrows +
con_func) and dispatching, separately.

Run with Debian's interpreter (python3-pandas, python3-cloudpickle):
  /usr/bin/python3 bench/python_baseline.py --rows 10000 --runs 5 --modes process,thread,sequential
Prints one JSON object on stdout.
"""
import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import cloudpickle
import pandas as pd

COLUMNS = [
    "File Path", "Domain Tag", "File Type", "Data Shape", "Channel Names",
    "Number of Channels", "Sampling Rate", "Duration", "Completeness Check", "Source Hash",
]


def make_frame(n):
    """The same 10 short string fields as the Node benchmark's rows."""
    data = {c: [] for c in COLUMNS}
    for i in range(n):
        for c, v in zip(COLUMNS, row_values(i)):
            data[c].append(v)
    return pd.DataFrame(data, dtype=str)


def row_values(i):
    return [
        f"/d/s{i:06d}.fif", "bench", "csvData", "(8, 1000)", "C3,Cz,C4",
        "8", "250.0", "3.996", "Completed", f"{i * 2654435761 % 4294967296:08x}",
    ]


def _call_pickled(blob, task):
    """Module level, so the pool can pickle it; the user's function travels as cloudpickle bytes."""
    _, row, should_apply = task
    if not should_apply:
        return None
    return cloudpickle.loads(blob)(row)


def dispatch(tasks, app_func, is_patch, result_type, mode, workers):
    def placeholder(row):
        return row if (is_patch and result_type == "series") else None

    if mode is None or workers <= 0:
        return [app_func(row) if ok else placeholder(row) for _, row, ok in tasks]
    if mode == "thread":
        def one(task):
            _, row, ok = task
            return app_func(row) if ok else placeholder(row)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, tasks))
    if mode == "process":
        blob = cloudpickle.dumps(app_func)
        results = [placeholder(row) for _, row, _ in tasks]
        picked = [(i, t) for i, t in enumerate(tasks) if t[2]]
        if picked:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                out = list(pool.map(_call_pickled, [blob] * len(picked), [t for _, t in picked]))
            for (i, _), value in zip(picked, out):
                results[i] = value
        return results
    raise ValueError(f"mode must be 'thread', 'process' or None; got {mode!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--modes", default="process,thread,sequential")
    ap.add_argument("--workers", type=int, default=2, help="processes in process mode")
    ap.add_argument("--threads", type=int, default=32, help="threads in thread mode")
    args = ap.parse_args()

    frame = make_frame(args.rows)
    con_func = lambda row: True  # noqa: E731  (as the built-ins pass)
    app_func = lambda row: len(row["File Path"])  # noqa: E731  the trivial apply, a closure-like lambda
    out = {"python": sys.version.split()[0], "pandas": pd.__version__, "cloudpickle": cloudpickle.__version__,
           "rows": args.rows, "modes": {}}
    for mode in args.modes.split(","):
        workers = {"process": args.workers, "thread": args.threads}.get(mode, 0)
        runs = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            tasks = [(i, row, bool(con_func(row))) for i, row in frame.iterrows()]
            t1 = time.perf_counter()
            res = dispatch(tasks, app_func, False, "value", None if mode == "sequential" else mode, workers)
            t2 = time.perf_counter()
            assert len(res) == args.rows and res[0] == len("/d/s000000.fif")
            runs.append({"tasksMs": (t1 - t0) * 1e3, "dispatchMs": (t2 - t1) * 1e3, "totalMs": (t2 - t0) * 1e3})
        out["modes"][mode] = {"workers": workers, "runs": runs}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
