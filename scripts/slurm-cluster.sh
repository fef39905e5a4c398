#!/bin/bash
# A single-node Slurm cluster on this machine for the sweep tests (controller and one node, no cgroups):
#   scripts/slurm-cluster.sh start DIR   starts munged, slurmctld and slurmd with their state in DIR and
#                                        prints the SLURM_CONF to use; waits until the node is idle.
#   scripts/slurm-cluster.sh stop DIR    stops what start started.
# Needs Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge) and root.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?state folder}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# munged runs as the munge user: it must reach its files in here.
chmod 755 "$dir"
conf="$dir/slurm.conf"

stop() {
  for name in slurmd slurmctld munged; do
    if [ -f "$dir/$name.pid" ]; then
      kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
      rm -f "$dir/$name.pid"
    fi
  done
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi

for tool in munged slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm-cluster: $tool is missing: apt-get install -y slurm-wlm munge" >&2; exit 3; }
done

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$dir/state" "$dir/spool" "$dir/munge" "$dir/log"
# munge: its own key, socket and files in $dir, so that nothing of the machine's is touched.
if [ ! -f "$dir/munge/munge.key" ]; then
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
fi
chown -R munge:munge "$dir/munge"
chmod 700 "$dir/munge"
chmod 400 "$dir/munge/munge.key"
socket="$dir/munge/munge.socket"
runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$socket" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --force
cp "$dir/munge/munged.pid" "$dir/munged.pid"

cat > "$conf" <<CONF
ClusterName=hermes-test
SlurmctldHost=$host
SlurmctldPort=23817
SlurmdPort=23818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"
slurmctld -f "$conf" -i
slurmd -f "$conf"
# Up when the node is idle; a minute at most.
for _ in $(seq 1 120); do
  if sinfo -h -o '%T' 2>/dev/null | grep -q '^idle'; then
    echo "$conf"
    exit 0
  fi
  sleep 0.5
done
echo "slurm-cluster: the node did not become idle within a minute; see $dir/log" >&2
sinfo >&2 || true
stop
exit 4
