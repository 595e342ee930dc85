#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for testing profiles/slurm (no systemd needed).
#
#   scripts/slurm_cluster.sh start    install Debian's slurmctld/slurmd/slurm-client/munge if missing,
#                                     write a one-node slurm.conf for this host, start munged,
#                                     slurmctld and slurmd by hand, wait until the node is idle
#   scripts/slurm_cluster.sh stop     stop the three daemons started by 'start' (by their pid files)
#   scripts/slurm_cluster.sh status   sinfo of the test cluster
#
# Everything (config, munge key and socket, state, logs, pid files) lives in $SLURM_TEST_DIR
# (default /tmp/armmatch-slurm); /etc/munge and /run/munge are not used. The one file outside is
# the symlink /etc/slurm/slurm.conf -> $SLURM_TEST_DIR/slurm.conf: the slurm executor's job step
# (snakemake-executor-plugin-slurm-jobstep) removes every SLURM_* variable, SLURM_CONF included,
# before its nested 'srun', so that srun only finds the cluster at the default path. 'start'
# refuses to replace an /etc/slurm/slurm.conf that is not its own symlink; 'stop' removes it.
#
# Daemons run as root (SlurmUser=root) because they must start jobs as the submitting user; the
# script therefore needs root or passwordless sudo. Accounting: no slurmdbd, so 'sacct' cannot
# answer (AccountingStorageType=accounting_storage/none); finished jobs are written to
# $SLURM_TEST_DIR/log/jobcomp.txt (jobcomp/filetxt) and kept in slurmctld's memory for MinJobAge
# seconds, which is what 'squeue --states=all' (the executor's status_command: squeue) reads.
set -euo pipefail

DIR=${SLURM_TEST_DIR:-/tmp/armmatch-slurm}
CONF=$DIR/slurm.conf
ETC_CONF=/etc/slurm/slurm.conf
SOCKET=$DIR/munge/munge.socket
NODE=${SLURM_TEST_NODE:-$(hostname -s)}
CPUS=${SLURM_TEST_CPUS:-2}
TIMEOUT=${SLURM_TEST_TIMEOUT:-60}

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "slurm_cluster.sh: needs root or passwordless sudo (daemons run as root)" >&2; exit 77
  fi
fi

log() { echo "slurm_cluster.sh: $*" >&2; }

install_packages() {
  local missing=()
  command -v slurmctld >/dev/null 2>&1 || missing+=(slurmctld)
  command -v slurmd >/dev/null 2>&1 || missing+=(slurmd)
  command -v sbatch >/dev/null 2>&1 || missing+=(slurm-client)
  command -v munged >/dev/null 2>&1 || missing+=(munge)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  # The packages' maintainer scripts must not start the daemons with the system's config (no
  # systemd here, and this script starts them itself): a policy-rc.d that forbids it, for the
  # duration of the install, unless the machine already has one.
  local policy=/usr/sbin/policy-rc.d own_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 0755 "$policy"; own_policy=1
  fi
  $SUDO apt-get update -qq
  # --no-install-recommends: the recommended plugin packages (hdf5, influxdb, ...) are not needed.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || { [ -z "$own_policy" ] || $SUDO rm -f "$policy"; exit 1; }
  [ -z "$own_policy" ] || $SUDO rm -f "$policy"
}

# Memory the node offers to jobs: MemTotal minus 512 MB for the OS, in MB.
real_memory() {
  awk '/^MemTotal:/ { m = int($2 / 1024) - 512; if (m < 1000) m = 1000; print m }' /proc/meminfo
}

write_config() {
  $SUDO mkdir -p "$DIR"/{munge,state,spool,log,run}
  $SUDO chmod 0755 "$DIR"
  $SUDO chmod 0700 "$DIR/munge" "$DIR/state" "$DIR/spool"
  # The munge key: 1024 random bytes, readable by root only (munged refuses anything looser).
  if [ ! -s "$DIR/munge/munge.key" ]; then
    $SUDO dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  fi
  $SUDO chmod 0400 "$DIR/munge/munge.key"
  # munge's socket directory must be reachable by clients running as other users.
  $SUDO chmod 0755 "$DIR/munge"
  if [ -e "$ETC_CONF" ] || [ -L "$ETC_CONF" ]; then
    if [ "$(readlink "$ETC_CONF" || true)" != "$CONF" ]; then
      log "$ETC_CONF exists and is not this test cluster's: not replacing it (a real cluster?)"
      exit 1
    fi
  fi
  $SUDO tee "$CONF" >/dev/null <<EOF
# Single-node test cluster written by scripts/slurm_cluster.sh (SLURM $(slurmctld -V | awk '{print $2}')).
ClusterName=armmatch-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${SLURM_TEST_CTLD_PORT:-6817}
SlurmdPort=${SLURM_TEST_SLURMD_PORT:-6818}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (containers, CI machines without systemd): plain /proc process tracking.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# Cores and memory are consumable resources, so --mem and --cpus-per-task are enforced/scheduled.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
# No slurmdbd: sacct has nothing to read. Finished jobs go to a text file, and slurmctld keeps
# them for MinJobAge seconds so that 'squeue --states=all' reports COMPLETED/FAILED.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MinJobAge=300
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$(real_memory) State=UNKNOWN
PartitionName=main Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  $SUDO mkdir -p "$(dirname "$ETC_CONF")"
  $SUDO ln -sfn "$CONF" "$ETC_CONF"
}

pid_alive() { [ -s "$1" ] && $SUDO kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  install_packages
  if pid_alive "$DIR/run/slurmctld.pid" && pid_alive "$DIR/run/slurmd.pid"; then
    log "already running ($DIR)"
  else
    stop_daemons quiet
    write_config
    $SUDO rm -f "$SOCKET" "$SOCKET.lock"
    # -f: the key and socket live outside /etc/munge and /run/munge; munged runs as root here.
    $SUDO munged -f --key-file="$DIR/munge/munge.key" --socket="$SOCKET" \
      --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" \
      --seed-file="$DIR/munge/munged.seed"
    # -c: a fresh controller state every start (no jobs left over from an earlier test).
    $SUDO env SLURM_CONF="$CONF" slurmctld -c -f "$CONF"
    $SUDO env SLURM_CONF="$CONF" slurmd -f "$CONF" -N "$NODE"
  fi
  local waited=0 state=""
  while :; do
    state=$(SLURM_CONF="$CONF" sinfo -h -n "$NODE" -o '%T' 2>/dev/null || true)
    [ "$state" = idle ] && break
    if [ "$waited" -ge "$TIMEOUT" ]; then
      log "node $NODE not idle after ${TIMEOUT}s (state: '${state:-no answer}'); logs:"
      $SUDO tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" "$DIR/log/munged.log" >&2 || true
      exit 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  log "node $NODE idle after ${waited}s ($ETC_CONF -> $CONF)"
}

stop_daemons() {
  local name pidfile pid i
  for name in slurmd slurmctld munged; do
    pidfile=$DIR/run/$name.pid
    if pid_alive "$pidfile"; then
      pid=$(cat "$pidfile")
      $SUDO kill "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do $SUDO kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      $SUDO kill -9 "$pid" 2>/dev/null || true
      [ "${1:-}" = quiet ] || log "stopped $name (pid $pid)"
    fi
    $SUDO rm -f "$pidfile"
  done
  if [ "${1:-}" != quiet ] && [ "$(readlink "$ETC_CONF" 2>/dev/null || true)" = "$CONF" ]; then
    $SUDO rm -f "$ETC_CONF"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop_daemons ;;
  status) SLURM_CONF="$CONF" sinfo ;;
  *) echo "usage: $0 start|stop|status   (state in \$SLURM_TEST_DIR, default /tmp/armmatch-slurm)" >&2; exit 2 ;;
esac
