#!/usr/bin/env bash
# A real single-node Slurm cluster runs a sweep as a job array (ctest:
# slurm_sweep). The test starts munged, slurmctld and slurmd itself, with a
# slurm.conf generated for this machine in a temporary folder, and stops them
# by their process IDs when it ends, passed or failed.
#
#   1. the 24-run sweep runs locally (--jobs 2) and as a Slurm array; the
#      two give the same figures (wall-clock figures aside);
#   2. a second array is cancelled (scancel) part-way and resubmitted: the
#      sweep completes with every run exactly once, equal to the local one.
#
# Exit 77 (ctest: skipped) when Slurm or munge is not installed or the test
# does not run as root, except in CI (CI set), where that fails like missing
# test data does.
#
# Usage: slurm_sweep_test.sh SYSTOLE_BINARY SOURCE_DIR
set -uo pipefail

systole=$1
source_dir=$2

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

in_ci() { [[ -n "${CI:-}" && "${CI}" != "false" && "${CI}" != "0" ]]; }

for tool in munged slurmctld slurmd sbatch squeue scancel sinfo; do
  if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$tool ]]; then
    message="$tool is not installed (apt-get install -y slurm-wlm munge)"
    in_ci && fail "$message"
    echo "SKIPPED: $message" >&2
    exit 77
  fi
done
export PATH=$PATH:/usr/sbin
if [[ $(id -u) -ne 0 ]]; then
  message="slurmd runs jobs as root here: run this test as root"
  in_ci && fail "$message"
  echo "SKIPPED: $message" >&2
  exit 77
fi

work=$(mktemp -d /tmp/systole-slurm-XXXXXX)
chmod 700 "$work"
pids=()

stop_cluster() {
  # Jobs first, so that no task outlives its slurmd; then the daemons, by PID.
  if [[ ${#pids[@]} -gt 1 ]]; then
    scancel --quiet --user="$(id -un)" 2>/dev/null
    for _ in $(seq 50); do
      [[ -z "$(squeue --noheader 2>/dev/null)" ]] && break
      sleep 0.2
    done
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null
    wait "${pids[i]}" 2>/dev/null
  done
  if [[ -n "${KEEP_SLURM_TEST_DIR:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap stop_cluster EXIT

free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  fail "no free TCP port found"
}

# munge: its own key and socket, not the machine's.
mkdir -m 700 "$work/munge"
head -c 1024 /dev/urandom >"$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
munged --foreground --force --socket="$work/munge/socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/seed" --log-file="$work/munge/munged.log" \
  >"$work/munge/out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S "$work/munge/socket" ]] && break; sleep 0.1; done
[[ -S "$work/munge/socket" ]] || fail "munged did not start: $(tail -3 "$work/munge/out")"

host=$(hostname -s)
user=$(id -un)
cpus=$(nproc)
memory=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
mkdir -p "$work/state" "$work/spool" "$work/log"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=systoletest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=systole Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
state=
for _ in $(seq 150); do
  state=$(sinfo --noheader --format=%T 2>/dev/null)
  [[ "$state" == idle ]] && break
  sleep 0.2
done
[[ "$state" == idle ]] || fail "the Slurm node is not idle (state '$state'): $(tail -5 "$work/log/slurmctld.out" "$work/log/slurmd.out")"
echo "Slurm $(sinfo --version | awk '{print $2}') up on $host: munged ${pids[0]}, slurmctld ${pids[1]}, slurmd ${pids[2]}"

# 4 x 2 x 3 = 24 runs; the array's tasks run shards of them.
write_sweep() {
  cat >"$work/$1.yaml" <<SWEEP
name: $1
base: systole-32x32
set: {memory.model: dram}
axes:
  array.rows: [4, 8, 12, 16]
  array.cols: [4, 8]
  array.dataflow: [ws, os, is]
workloads:
  - {file: $work/gemm.yaml}
results: $1.results
SWEEP
}
cat >"$work/gemm.yaml" <<'NET'
name: gemm
layers:
  - {name: a, type: gemm, m: 96, n: 64, k: 96}
  - {name: b, type: gemm, m: 64, n: 96, k: 64}
NET
write_sweep local
write_sweep array
write_sweep cancelled

# runs.csv without its wall-clock columns, sorted by hash.
figures_of() {
  "$systole" sweep report "$work/$1.yaml" --no-plots >/dev/null || fail "sweep report $1 failed"
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i != "totals.wall_time" && $i != "totals.simulation_rate") keep[i] = 1 }
           { line = ""; for (i = 1; i <= NF; i++) if (keep[i]) line = line $i ","; print line }' \
    "$work/$1.results/report/runs.csv" | sort
}

"$systole" sweep run "$work/local.yaml" --jobs 2 >/dev/null 2>"$work/local.err" || fail "local sweep: $(cat "$work/local.err")"

# 1. The whole sweep as an array.
"$systole" sweep run "$work/array.yaml" --slurm --tasks 4 || fail "sweep run --slurm refused"
timeout 300 "$systole" sweep status "$work/array.yaml" --wait --interval 0.5 | tail -1 | tee "$work/array.status"
grep -q "24 runs: 24 completed, 0 failed, 0 not run" "$work/array.status" || fail "the array did not complete the sweep: $(cat "$work/array.status"); $(tail -3 "$work"/array.results/slurm/*.out)"
diff <(figures_of local) <(figures_of array) >"$work/array.diff" || fail "the array's results differ from the local run's: $(head -5 "$work/array.diff")"
[[ $(figures_of array | wc -l) -eq 25 ]] || fail "runs.csv does not hold 24 runs"
echo "1. the job array's 24 runs equal the local sweep's, figure by figure"

# 2. Cancelled part-way (one task at a time, so that some are left), then resubmitted.
submitted=$("$systole" sweep run "$work/cancelled.yaml" --slurm --tasks 8 --array-limit 1) || fail "submit failed"
job=$(sed -n 's/^submitted job array \([0-9]*\).*/\1/p' <<<"$submitted")
[[ -n "$job" ]] || fail "no job ID in: $submitted"
# While it runs, a second array of the same sweep is refused (one writer per database).
if refused=$("$systole" sweep run "$work/cancelled.yaml" --slurm --tasks 8 2>&1); then
  fail "a second array was submitted while the first ran: $refused"
fi
grep -q "earlier job array still has" <<<"$refused" || fail "unexpected refusal: $refused"
completed=0
for _ in $(seq 600); do
  completed=$("$systole" sweep status "$work/cancelled.yaml" | sed -n 's/.*runs: \([0-9]*\) completed.*/\1/p')
  [[ "${completed:-0}" -ge 3 ]] && break
  sleep 0.1
done
scancel "$job" || fail "scancel $job failed"
for _ in $(seq 100); do
  [[ -z "$(squeue --noheader --jobs="$job" 2>/dev/null)" ]] && break
  sleep 0.2
done
after_cancel=$("$systole" sweep status "$work/cancelled.yaml" | sed -n 's/.*runs: \([0-9]*\) completed.*/\1/p')
echo "cancelled job $job with $after_cancel of 24 runs completed"
[[ "$after_cancel" -ge 3 && "$after_cancel" -lt 24 ]] || fail "the cancel did not land part-way ($after_cancel of 24 completed)"
resubmitted=$("$systole" sweep run "$work/cancelled.yaml" --slurm --tasks 8 2>&1) || fail "resubmit failed: $resubmitted"
grep -q "24 runs; $after_cancel completed, $((24 - after_cancel)) to run" <<<"$resubmitted" || fail "the resubmission does not skip the completed runs: $resubmitted"
timeout 300 "$systole" sweep status "$work/cancelled.yaml" --wait --interval 0.5 | tail -1 | tee "$work/cancelled.status"
grep -q "24 runs: 24 completed, 0 failed, 0 not run" "$work/cancelled.status" || fail "the resubmitted sweep did not complete: $(cat "$work/cancelled.status")"
[[ $(figures_of cancelled | cut -d, -f1 | sort -u | wc -l) -eq 25 ]] || fail "a run is missing or twice in runs.csv"
diff <(figures_of local) <(figures_of cancelled) >"$work/cancelled.diff" || fail "the resubmitted sweep's results differ from the local run's: $(head -5 "$work/cancelled.diff")"
echo "2. cancelled and resubmitted: every run exactly once, equal to the local sweep's"
