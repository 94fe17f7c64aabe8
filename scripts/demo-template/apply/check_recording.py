"""check_recording.py — opens each FIF recording with MNE and checks it against its locator row;
the rows that do not match fail, each with its own error.

It is here to show per-row errors: in EEGUnity the first exception ends the whole batch and throws
away every finished result; here each failing row gets its own error (the Python traceback, and a
link to the line below that raised) and the others finish. In fif.locator.csv three rows fail:
  - sub-09_task-rest_raw.fif is listed but missing on disk (FileNotFoundError),
  - sub-07_task-rest_raw.fif lacks a channel its row lists (a stale locator),
  - sub-03_task-oddball_run-2_raw.fif was a failed read (Sampling Rate NaN).
What it prints goes to the Output channel (the CLI: stderr), tagged with its row.
Fix a cause (or edit the check) and re-run only the failed rows.
"""
import math
import os

import mne

defaults = {'mode': 'sequential', 'result_type': 'value', 'is_patch': True}


def app_func(row):
    rate = row['Sampling Rate']
    if math.isnan(rate):
        raise ValueError('Sampling Rate is NaN: EEGUnity could not read this file')
    path = row['File Path']
    if not os.path.exists(path):
        raise FileNotFoundError(f'recording not found: {path}')
    raw = mne.io.read_raw_fif(path, preload=False, verbose='error')  # the header only
    listed = [name.strip() for name in row['Channel Names'].split(',')]
    missing = [name for name in listed if name not in raw.ch_names]
    if missing:
        raise ValueError(
            f'the locator lists {len(listed)} channels but {os.path.basename(path)} has '
            f'{len(raw.ch_names)}; missing: {", ".join(missing)}'
        )
    if row['Completeness Check'] != 'Completed':
        print(f'{os.path.basename(path)}: marked {row["Completeness Check"]} in the locator')
    if raw.info['sfreq'] != rate:
        print(f'{os.path.basename(path)}: {raw.info["sfreq"]:g} Hz in the file, {rate:g} Hz in the locator')
    return f'ok: {len(raw.ch_names)} channels at {rate:g} Hz'
