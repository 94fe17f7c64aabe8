"""Writes real FIF recordings with MNE, for the demo (scripts/make-demo.js) and the benchmarks.

Reads one JSON object on stdin: {"files": [SPEC, ...]}, each SPEC one of
  {"fif": OUT, "csv": IN, "sfreq": 250.0}
      the csvData recording IN (a Time column, then one column per channel, in µV) as OUT;
  {"fif": OUT, "channels": ["Fp1", ...], "sfreq": 250.0, "samples": 2500, "seed": 7}
      seeded Gaussian noise (µV scale) on those EEG channels.
Writes each with mne.io.RawArray(...).save(OUT) (MNE stores volts, as float32) and prints one JSON
line on stdout: {"written": N, "mne": VERSION}.

Run it with an interpreter that has MNE (Debian's /usr/bin/python3 after scripts/setup-python.sh).
"""
import json
import sys

import mne
import numpy as np


def read_csv_data(path):
    with open(path, encoding='utf-8') as f:
        header = f.readline().strip().split(',')
    data = np.loadtxt(path, delimiter=',', skiprows=1, ndmin=2)
    return header[1:], data[:, 1:].T


def main():
    spec = json.load(sys.stdin)
    for item in spec['files']:
        if 'csv' in item:
            channels, microvolts = read_csv_data(item['csv'])
        else:
            rng = np.random.default_rng(item.get('seed', 0))
            channels = item['channels']
            microvolts = rng.normal(0.0, 20.0, size=(len(channels), int(item['samples'])))
        info = mne.create_info(list(channels), float(item['sfreq']), ch_types='eeg')
        raw = mne.io.RawArray(microvolts * 1e-6, info, verbose='error')
        raw.save(item['fif'], overwrite=True, verbose='error')
    print(json.dumps({'written': len(spec['files']), 'mne': mne.__version__}))


if __name__ == '__main__':
    main()
