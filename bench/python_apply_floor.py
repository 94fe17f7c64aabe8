"""The machine's floor for a Python apply file (bench/python.ts): its app_func on locator rows in a
plain loop, no dispatcher. The interpreter imports the apply file and builds its rows (pandas
Series, as EEGUnity gives them) before the clock, says "ready", waits for a line on stdin, runs
app_func on rows [start, end), and says "done". Two of these on the two halves, started together,
are what two workers could reach on this machine at that moment; one on every row is the
sequential floor.

  python3 bench/python_apply_floor.py APPLY_FILE LOCATOR START END
"""
import importlib.util
import sys

import pandas as pd


def main():
    apply_file, locator, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    spec = importlib.util.spec_from_file_location('apply_under_test', apply_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = [row for _, row in pd.read_csv(locator).iloc[start:end].iterrows()]
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    sys.stdin.readline()
    for row in rows:
        module.app_func(row)
    sys.stdout.write('done\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
