#!/usr/bin/env bash
# A one-node Slurm cluster (Debian's Slurm 22.05 + munge) for the tests and the demo.
#
#   bash scripts/slurm.sh start [DIR]   install if missing, start munged/slurmctld/slurmd, wait for idle;
#                                       prints one line on stdout: export SLURM_CONF=DIR/slurm.conf
#                                       (so: eval "$(bash scripts/slurm.sh start)")
#   bash scripts/slurm.sh stop [DIR]    stop the daemons this script started, by their saved pids
#   bash scripts/slurm.sh status [DIR]  whether they run, and the node's state
#
# DIR defaults to ${LOCATOR_BATCH_CACHE:-$HOME/.cache/locator-batch}/slurm/node (outside the repo).
# It holds slurm.conf (literal paths, ports free on 127.0.0.1 when written), state/, spool/, log/ and
# run/ (the pids this script saved). Runs as root without systemd: slurmd and SlurmUser=root need it.
# Slurm 22.05 has no auth/slurm (munge is required) and no CgroupPlugin=disabled (hence
# proctrack/linuxproc, task/none and no cgroup.conf). Everything but the export line goes to stderr.
set -euo pipefail

log() { echo "[slurm] $*" >&2; }
die() { log "error: $*"; exit 1; }

CMD=${1:-}
DIR=${2:-${LOCATOR_BATCH_CACHE:-$HOME/.cache/locator-batch}/slurm/node}
DIR=$(realpath -m "$DIR")
CONF=$DIR/slurm.conf
RUN=$DIR/run
NODE=localhost
READY_TIMEOUT=${SLURM_READY_TIMEOUT:-30}
STOP_TIMEOUT=10
PACKAGES=(slurmctld slurmd slurm-client munge)

# --- processes -------------------------------------------------------------------------------------
# A pid counts as alive when it exists, is not a zombie, and runs the program we expect (pids are reused).
alive() { # NAME PID
  local pid=$2 state comm
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [ "$comm" = "$1" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}
saved_pid() { cat "$RUN/$1.pid" 2>/dev/null || true; }
running() { alive "$1" "$(saved_pid "$1")"; }

STOPPED=()
# An exited daemon shows as <defunct> until init reaps it (1.5-2 s here): wait for that once for all,
# so that a `pgrep slurm` right after a stop is empty.
wait_reaped() {
  local i pid left
  for ((i = 0; i < 40; i++)); do
    left=0
    for pid in "${STOPPED[@]}"; do [ -e "/proc/$pid" ] && left=1; done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  log "still <defunct> (not yet reaped by their parent): ${STOPPED[*]}"
}

stop_one() { # NAME
  local name=$1 pid i
  pid=$(saved_pid "$name")
  if alive "$name" "$pid"; then
    local t0=$EPOCHREALTIME
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do alive "$name" "$pid" || break; sleep 0.1; done
    if alive "$name" "$pid"; then
      log "$name ($pid) still there after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do alive "$name" "$pid" || break; sleep 0.1; done
    fi
    alive "$name" "$pid" && die "$name ($pid) did not exit"
    STOPPED+=("$pid")
    log "stopped $name ($pid) in $(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")s"
  fi
  rm -f "$RUN/$name.pid"
}

munge_works() { command -v munge >/dev/null && munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

node_state() { SLURM_CONF=$CONF sinfo -h -n "$NODE" -o %T 2>/dev/null | head -1 || true; }

# --- install ---------------------------------------------------------------------------------------
install_packages() {
  bash "$(dirname "${BASH_SOURCE[0]}")/apt-ensure.sh" slurm "${PACKAGES[@]}"
}

# --- configuration ---------------------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { # EXCLUDE: a free port on 127.0.0.1 outside the ephemeral range
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((17000 + RANDOM % 12000))
    [ "$p" != "${1:-}" ] && port_free "$p" && { echo "$p"; return 0; }
  done
  die "no free port found"
}

write_conf() {
  local ctld_port slurmd_port
  ctld_port=$(pick_port)
  slurmd_port=$(pick_port "$ctld_port")
  cat >"$CONF" <<EOF
# Written by scripts/slurm.sh: a one-node cluster for Locator Batch's tests and demo.
ClusterName=lbtest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/state/slurmctld.pid
SlurmdPidFile=$DIR/spool/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=1
SlurmdParameters=config_overrides
MpiDefault=none
MailProg=/bin/true
NodeName=$NODE CPUs=4 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  log "wrote $CONF (SlurmctldPort=$ctld_port SlurmdPort=$slurmd_port)"
}

# --- start -----------------------------------------------------------------------------------------
start_munged() {
  if munge_works; then log "munge works already (munged not started by this script)"; return 0; fi
  [ -f /etc/munge/munge.key ] || die "no /etc/munge/munge.key (the munge package creates it)"
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  # -F: stays in the foreground, so the pid we save is munged's own.
  setsid setpriv --reuid=munge --regid=munge --init-groups munged -F \
    >"$DIR/log/munged.out" 2>&1 </dev/null &
  echo $! >"$RUN/munged.pid"
  local i
  for ((i = 0; i < 50; i++)); do munge_works && break; sleep 0.1; done
  munge_works || { tail -n 20 "$DIR/log/munged.out" >&2 || true; die "munged did not come up"; }
  log "started munged ($(saved_pid munged))"
}

start_daemon() { # NAME ARGS...: in its own session/process group; setsid execs (no fork) as we are not a group leader
  local name=$1; shift
  setsid "$name" "$@" >"$DIR/log/$name.out" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  log "started $name ($!)"
}

fail_start() { # WHY
  log "$1 (node state: '$(node_state)'); log tails:"
  local f
  for f in slurmctld slurmd; do # the .out files hold what a daemon said before its log was open
    for f in "$DIR/log/$f.log" "$DIR/log/$f.out"; do
      [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; break; }
    done
  done
  stop_one slurmd; stop_one slurmctld; stop_one munged
  [ ${#STOPPED[@]} -gt 0 ] && wait_reaped
  exit 1
}

cmd_start() {
  [ "$(id -u)" -eq 0 ] || die "needs root (slurmd and SlurmUser=root; apt-get)"
  local t0=$SECONDS
  install_packages
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log" "$RUN"
  if running slurmctld && running slurmd && [ -f "$CONF" ]; then
    log "already running in $DIR (slurmctld $(saved_pid slurmctld), slurmd $(saved_pid slurmd)); node $(node_state)"
    echo "export SLURM_CONF=$CONF"
    return 0
  fi
  # Half a cluster (one daemon died): start over with fresh ports.
  stop_one slurmd; stop_one slurmctld
  start_munged
  write_conf
  # -c: a clean job state (no job left from an earlier cluster in DIR runs again); -i: ignore state errors.
  start_daemon slurmctld -D -c -i -f "$CONF"
  start_daemon slurmd -D -N "$NODE" -f "$CONF"
  local i state=""
  for ((i = 0; i < READY_TIMEOUT * 5; i++)); do
    state=$(node_state)
    [ "$state" = idle ] && break
    running slurmctld && running slurmd || fail_start "a daemon exited"
    sleep 0.2
  done
  [ "$state" = idle ] || fail_start "node not idle after ${READY_TIMEOUT}s"
  log "node $NODE idle in $((SECONDS - t0))s; stop with: bash scripts/slurm.sh stop $DIR"
  echo "export SLURM_CONF=$CONF"
}

# Jobs still queued or running when the daemons stop would outlive them (slurmstepd and the job's
# processes stay, reparented to init) or run at the next start: cancel them while slurmctld is up.
cancel_jobs() {
  running slurmctld && [ -f "$CONF" ] || return 0
  local jobs i
  jobs=$(SLURM_CONF=$CONF squeue -h -o %A 2>/dev/null | tr '\n' ' ' || true)
  [ -n "${jobs// /}" ] || return 0
  log "cancelling jobs: $jobs"
  SLURM_CONF=$CONF scancel $jobs 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
    [ -z "$(SLURM_CONF=$CONF squeue -h -o %A 2>/dev/null || true)" ] && return 0
    sleep 0.2
  done
  log "jobs still listed after ${STOP_TIMEOUT}s: $(SLURM_CONF=$CONF squeue -h -o %A 2>/dev/null | tr '\n' ' ')"
}

cmd_stop() {
  cancel_jobs
  stop_one slurmd
  stop_one slurmctld
  stop_one munged # only when this script started it (else there is no pid file)
  [ ${#STOPPED[@]} -gt 0 ] && wait_reaped
  log "stopped ($DIR)"
}

cmd_status() {
  local name pid up=0
  for name in munged slurmctld slurmd; do
    pid=$(saved_pid "$name")
    if alive "$name" "$pid"; then
      echo "$name: running ($pid)"; up=$((up + 1))
    elif [ "$name" = munged ]; then
      if munge_works; then echo "munged: not started by this script, munge works"; else echo "munged: not running"; fi
    else
      echo "$name: not running"
    fi
  done
  if [ "$up" -gt 0 ] && [ -f "$CONF" ]; then
    echo "node $NODE: $(node_state || true)"
    echo "SLURM_CONF=$CONF"
  fi
  running slurmctld && running slurmd
}

case "$CMD" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: bash scripts/slurm.sh start|stop|status [DIR]" >&2; exit 2 ;;
esac
