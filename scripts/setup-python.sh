#!/usr/bin/env bash
# Installs the Python parts the tests and the demo use: Debian's python3 with pandas and MNE
# (python3-pandas, python3-mne), without recommends (~57 MB; with them MNE pulls VTK, Qt and MPI).
# Debian's packages load only under Debian's own /usr/bin/python3, which may not be the python3
# first on PATH (pyenv, conda): the tests pick /usr/bin/python3 explicitly.
# Idempotent: apt-get update runs only when something is missing. Safe under CI=true (no stdin).
# Prints what it does on stderr; prints nothing on stdout.
set -euo pipefail

log() { echo "[setup-python] $*" >&2; }
t0=$SECONDS
# cloudpickle: the unit tests run EEGUnity's own dispatcher (test/unit/fixtures/parallel_execute.py) as the reference.
PACKAGES=(python3 python3-pandas python3-mne python3-cloudpickle)

bash "$(dirname "$0")/apt-ensure.sh" setup-python "${PACKAGES[@]}"
# Check that they load under Debian's interpreter.
/usr/bin/python3 -c 'import sys, pandas, mne; print("[setup-python] /usr/bin/python3 %s: pandas %s, mne %s" % (sys.version.split()[0], pandas.__version__, mne.__version__), file=sys.stderr)' 1>&2
log "done in $((SECONDS - t0))s"
