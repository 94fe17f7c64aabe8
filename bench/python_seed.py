"""The seed's batch_process on a locator, for bench/python.ts: EEGUnity's own dispatcher
(test/unit/fixtures/python/parallel_execute.py, EEGUnity v0.8.5's, with cloudpickle) on the same
locator and the same apply file our runtime runs.

As EEGUnity does: the locator is read with pandas.read_csv (once, not timed, as EEGUnity reads it
when the batch is made); each timed run builds the tasks (iterrows + con_func, the file's or one
that picks every row) and calls parallel_execute, whose process mode makes its pool inside the call
and ships app_func with cloudpickle, one task per row. The apply file is imported once, before the
runs (so `import mne` in it is not timed, and forked pool processes inherit it), and its functions
are pickled by value, as a function defined in the user's script is.

  /usr/bin/python3 bench/python_seed.py --locator L.csv --apply F.py --mode process --workers 2 --runs 3
Prints one JSON object on stdout.
"""
import argparse
import importlib.util
import json
import os
import sys
import time

import cloudpickle
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'test', 'unit', 'fixtures', 'python'))
from parallel_execute import parallel_execute  # noqa: E402


def load_apply(path):
    spec = importlib.util.spec_from_file_location('seed_bench_apply', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    cloudpickle.register_pickle_by_value(module)
    app = getattr(module, 'app_func', None) or getattr(module, 'apply')
    con = getattr(module, 'con_func', None) or getattr(module, 'condition', None) or (lambda row: True)
    return con, app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--locator', required=True)
    ap.add_argument('--apply', required=True)
    ap.add_argument('--mode', default='process', choices=['process', 'thread', 'sequential'])
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--runs', type=int, default=1)
    args = ap.parse_args()

    con_func, app_func = load_apply(args.apply)
    frame = pd.read_csv(args.locator)
    mode = None if args.mode == 'sequential' else args.mode
    runs = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        tasks = [(i, row, bool(con_func(row))) for i, row in frame.iterrows()]
        t1 = time.perf_counter()
        results = parallel_execute(tasks, app_func, False, 'value', mode, args.workers)
        t2 = time.perf_counter()
        assert len(results) == len(frame)
        runs.append({
            'tasksMs': (t1 - t0) * 1e3, 'dispatchMs': (t2 - t1) * 1e3, 'totalMs': (t2 - t0) * 1e3,
            'results': sum(r is not None for r in results),
        })
    json.dump({
        'python': sys.version.split()[0], 'pandas': pd.__version__, 'cloudpickle': cloudpickle.__version__,
        'rows': len(frame), 'mode': args.mode, 'workers': args.workers, 'runs': runs,
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
