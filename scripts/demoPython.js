// The Python the demo uses for its FIF recordings and its Python steps: one with MNE (and pandas).
// LOCATOR_BATCH_PYTHON when it has them, else Debian's /usr/bin/python3 (scripts/setup-python.sh
// installs python3-pandas and python3-mne there; the python3 first on PATH may be another one),
// else python3 on PATH. Plain Node (CommonJS), for make-demo.js and check-demo.js.
'use strict';

const { spawnSync } = require('child_process');

const CANDIDATES = [process.env.LOCATOR_BATCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);

/** { python, mne } for the first candidate that imports mne and pandas, else { tried } . */
function findMnePython() {
  for (const python of CANDIDATES) {
    const r = spawnSync(python, ['-c', 'import pandas, mne; print(mne.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python, mne: r.stdout.trim() };
  }
  return { tried: CANDIDATES };
}

module.exports = { findMnePython };
