#!/usr/bin/env bash
# Runs a command with the one-node Slurm cluster up: `bash scripts/with-slurm.sh COMMAND [ARGS...]`.
# Starts it (scripts/slurm.sh start; installs the packages when missing), exports SLURM_CONF for the
# command, and stops the cluster afterwards when this script started it. The command's exit code is
# this script's. Where Slurm cannot start, the command runs without it (the Slurm tests then skip,
# except with CI=true, where they fail).
set -uo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
started=0
if [ -z "${SLURM_CONF:-}" ]; then
  was_running=0
  bash "$here/slurm.sh" status >/dev/null 2>&1 && was_running=1
  if line=$(bash "$here/slurm.sh" start); then
    eval "$line"
    [ "$was_running" = 0 ] && started=1
  else
    echo "[with-slurm] Slurm did not start; running without it" >&2
  fi
fi
"$@"
rc=$?
[ "$started" = 1 ] && bash "$here/slurm.sh" stop || true
exit $rc
