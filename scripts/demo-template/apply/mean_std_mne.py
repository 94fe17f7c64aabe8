"""mean_std_mne.py — per-channel mean and standard deviation of each recording, read with MNE
(EEGUnity's `process_mean_std`, which fills the `MEAN STD` column), as a Python apply file.

The same functions you would pass to EEGUnity's batch_process:
    batch.batch_process(con_func, app_func, is_patch=True, result_type='value',
                        execution_mode='process', num_workers=2)
Each row is a pandas Series (the locator read with pandas.read_csv), so numbers are numbers:
row['Sampling Rate'] is a float, and a failed read's NaN is a float too.

Run it on fif.locator.csv (the demo's recordings as FIF files, written with MNE). The result is
{"all_eeg": [mean, std], "Fp1": [mean, std], ...} in µV: the same numbers mean-std.ts gives for the
CSV recordings. `process` mode: reading and summing keeps a core busy, and the worker processes stay
warm between runs in VS Code, so `import mne` (about a second) is paid once.
"""
import mne
import numpy as np

defaults = {'mode': 'process', 'workers': 2, 'result_type': 'value', 'is_patch': True}


def con_func(row):
    """Only rows EEGUnity could read; the others would fail anyway."""
    return row['Data Shape'] != 'error'


def app_func(row):
    raw = mne.io.read_raw_fif(row['File Path'], preload=True, verbose='error')
    data = raw.get_data(picks='eeg') * 1e6  # MNE keeps volts; EEGUnity reports µV
    result = {'all_eeg': [round(float(np.mean(data)), 4), round(float(np.std(data)), 4)]}
    for name, channel in zip(raw.ch_names, data):
        result[name] = [round(float(np.mean(channel)), 4), round(float(np.std(channel)), 4)]
    return result
