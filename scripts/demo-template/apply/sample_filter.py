"""sample_filter.py — keep only the recordings fit for analysis (EEGUnity's `sample_filter`), as a
Python apply file.

The work is in `con_func`: it picks the rows; `app_func` returns each picked row unchanged. With
result type `series` and is_patch False, the result is a NEW locator holding only the picked rows.
Nothing reads the files, so `sequential` is fastest.

Rows are pandas Series as EEGUnity gives them: 'Number of Channels' is a number, an empty cell is
NaN (and NaN >= 16 is False, so a failed read is left out). Change the thresholds to taste.
"""
MIN_CHANNELS = 16
MIN_SAMPLING_RATE = 250  # Hz
MIN_DURATION = 4  # seconds
DOMAINS = None  # e.g. ['demo_rest', 'demo_erp'] to keep only those domains

defaults = {'mode': 'sequential', 'result_type': 'series', 'is_patch': False}


def con_func(row):
    if row['Completeness Check'] != 'Completed':
        return False
    if DOMAINS is not None and row['Domain Tag'] not in DOMAINS:
        return False
    return (
        row['Number of Channels'] >= MIN_CHANNELS
        and row['Sampling Rate'] >= MIN_SAMPLING_RATE
        and row['Duration'] >= MIN_DURATION
    )


def app_func(row):
    return row
