#!/usr/bin/env bash
# Proves that a change leaves every output of `systole run` byte-identical.
#
#   scripts/check_equivalence.sh record  BINARY DIR   run the matrix below with BINARY, store its outputs in DIR
#   scripts/check_equivalence.sh compare BINARY DIR   run it again with BINARY, compare with DIR
#
# Typical use: record with a build of the unchanged code, compare with the
# refactored build. EQUIV_EXTRA_ARGS (space-separated) is appended to every
# run's arguments; to check the fold engine against the cycle engine:
#   EQUIV_EXTRA_ARGS="--engine cycle" scripts/check_equivalence.sh record build/systole DIR
#   scripts/check_equivalence.sh compare build/systole DIR
# (runs with --vcd-pes record the cycle engine's PE registers, and compare the fold engine's, ticked only through
# the window.) `compare` prints one line per run, then `N passed, N failed`,
# and exits 1 if any output differs or any run exits non-zero.
#
# Compared for each run, byte for byte: stdout (the summary table), layers.csv,
# summary.json, utilization.csv and the VCD when the run writes one -- every
# file the run leaves in its --out directory. Normalised first, identically in
# record and compare (DIR holds the normalised files):
#   - summary.json: the values of totals.wall_time and totals.simulation_rate
#     become "<wall-clock>" (the keys and units are still compared), and the
#     build directory in front of a preset's path in config.source (the
#     binary's compiled-in SYSTOLE_PRESET_DIR, e.g. /work/baseline/models/presets)
#     becomes "<preset dir>", so builds of two checkouts can be compared;
#   - stdout: "simulated in X s" becomes "simulated in <wall-clock> s";
# The VCD is compared as written: Systole's writer puts no date or build
# date in it (sim/report/vcd_writer.hpp).
# stderr is kept in DIR/NAME/stderr.txt but not compared.
#
# Runs execute in a scratch directory that links the repository's top-level
# entries (so paths like workloads/x.yaml read the repository's files and are
# echoed identically whatever the checkout) plus equivalence/, holding the
# small workloads written by this script (write_workloads below). Output paths
# are relative to it too. EQUIV_JOBS (default 2) runs at a time.
set -euo pipefail

# ---------------------------------------------------------------------------
# The matrix: one run a line, NAME then the arguments of `systole run`.
# --out is added by the script; @VCD stands for the run's VCD file.
# Every run must exit 0. Times: baseline binary, 2 cores, 2 runs at a time.
# ---------------------------------------------------------------------------
MATRIX='
# The README example (~5 s)
readme_alexnet             --arch systole-32x32 --workload workloads/alexnet_scalesim.csv --verify --sample 1000
# ResNet-18, every dataflow x microarchitecture (~4-6 s each)
r18_ws_baseline            --arch systole-32x32 --workload workloads/resnet18.yaml --dataflow ws --microarch baseline  --verify --sample 1000
r18_ws_pipelined           --arch systole-32x32 --workload workloads/resnet18.yaml --dataflow ws --microarch pipelined --verify --sample 1000
r18_os_baseline            --arch systole-32x32 --workload workloads/resnet18.yaml --dataflow os --microarch baseline  --verify --sample 1000
r18_os_pipelined           --arch systole-32x32 --workload workloads/resnet18.yaml --dataflow os --microarch pipelined --verify --sample 1000
r18_is_baseline            --arch systole-32x32 --workload workloads/resnet18.yaml --dataflow is --microarch baseline  --verify --sample 1000
r18_is_pipelined           --arch systole-32x32 --workload workloads/resnet18.yaml --dataflow is --microarch pipelined --verify --sample 1000
# AlexNet with DRAM: separate buffer (~15 s), shared buffer (~28 s), narrow NoC + banked buffer (~12 s),
# the 128x128 DDR4 example (~7 s), OS with 8 KB partitions so partial sums spill to DRAM (~17 s)
alex_dram_separate         --arch systole-32x32 --memory dram --workload workloads/alexnet_scalesim.csv --verify --sample 1000
alex_dram_shared           --arch docs/examples/shared-12x14.ini --workload workloads/alexnet_scalesim.csv --verify --sample 1000
alex_dram_narrow_noc       --arch systole-32x32 --memory dram --noc.left_words 8 --noc.top_words 8 --noc.out_words 8 --noc.latency 4 --buffer.banks 4 --buffer.word_bytes 8 --workload workloads/alexnet_scalesim.csv --verify --sample 1000
alex_dram_ddr4_128x128     --arch docs/examples/ddr4-128x128.ini --workload workloads/alexnet_scalesim.csv --verify --sample 1000
alex_dram_os_spill         --arch systole-32x32 --memory dram --dataflow os --buffer.ifmap_kb 8 --buffer.filter_kb 8 --buffer.ofmap_kb 8 --workload workloads/alexnet_scalesim.csv --verify --sample 1000
# Other DRAM specs, clock, grouped and depthwise convolutions (~3-6 s each)
alexnet_grouped_is_lpddr4  --arch systole-32x32 --workload workloads/alexnet.yaml --dataflow is --memory dram --dram lpddr4-3200 --clock-mhz 700 --verify --sample 1000
mobilenet1_dram_hbm2       --arch systole-32x32 --workload workloads/mobilenet_v1.yaml --memory dram --dram hbm2 --dram-channels 2 --verify --sample 1000
mobilenet2_os_pipelined    --arch systole-32x32 --workload workloads/mobilenet_v2.yaml --dataflow os --microarch pipelined --verify --sample 1000
# LSTM (2 layers, bidirectional), GRU (both reset variants), attention: a small YAML written by this
# script, since the zoo LSTMs take ~85 s each (deepbench_lstm on 32x32, lstm_lm on 128x128). <1 s each
rnn_ws_baseline            --arch systole-32x32 --workload equivalence/rnn_attention.yaml --dataflow ws --microarch baseline  --verify --sample 100
rnn_os_pipelined           --arch systole-32x32 --workload equivalence/rnn_attention.yaml --dataflow os --microarch pipelined --verify --sample 100
rnn_is_pipelined           --arch systole-32x32 --workload equivalence/rnn_attention.yaml --dataflow is --microarch pipelined --verify --sample 100
rnn_dram_os_spill          --arch systole-32x32 --workload equivalence/rnn_attention.yaml --memory dram --dataflow os --buffer.ifmap_kb 4 --buffer.filter_kb 4 --buffer.ofmap_kb 8 --verify --sample 100
rnn_dram_shared            --arch docs/examples/shared-12x14.ini --workload equivalence/rnn_attention.yaml --verify --sample 100
# BERT-base on 32x32 (~30 s)
bert_base                  --arch systole-32x32 --workload workloads/bert_base.yaml --verify --sample 1000
# Waveforms (~3 s, ~3 s, ~11 s: with --vcd the array does not sleep through DRAM waits; <1 s)
vcd_r18_ws_pipelined       --arch systole-32x32 --workload workloads/resnet18.yaml --dataflow ws --microarch pipelined --verify --sample 1000 --vcd @VCD --vcd-pes 0:3,0:3 --vcd-cycles 0:3000
vcd_r18_os_baseline        --arch systole-32x32 --workload workloads/resnet18.yaml --dataflow os --microarch baseline  --verify --sample 1000 --vcd @VCD --vcd-pes 0:3,0:3 --vcd-cycles 0:3000
vcd_r18_dram_os_pipelined  --arch systole-32x32 --memory dram --workload workloads/resnet18.yaml --dataflow os --microarch pipelined --verify --sample 1000 --vcd @VCD --vcd-pes 0:3,0:3 --vcd-cycles 0:3000
# (one PE: until multi-step layers were fixed, their PE registers were traced beyond --vcd-cycles)
vcd_rnn_dram_shared_is     --arch docs/examples/shared-12x14.ini --dataflow is --workload equivalence/rnn_attention.yaml --verify --sample 100 --vcd @VCD --vcd-pes 11,13 --vcd-cycles 0:3000
# Per-cycle utilization.csv (--sample 1), ideal and DRAM (with a VCD of the aggregate signals only)
lenet_sample1              --arch systole-32x32 --workload workloads/lenet5.yaml --verify --sample 1
lenet_dram_is_sample1_vcd  --arch systole-32x32 --workload workloads/lenet5.yaml --memory dram --dataflow is --verify --sample 1 --vcd @VCD
# Data types, seed, batch, array shape, SCALE-Sim GEMM topology (<1 s each)
gemm_fp32_seed7_batch2     --arch systole-32x32 --workload workloads/gemm_small.csv --data-type fp32 --seed 7 --batch 2 --verify --sample 10
gemm_int16_os_16x24        --arch systole-32x32 --array 16x24 --workload workloads/gemm_small.csv --data-type int16 --dataflow os --verify --sample 10
# Narrow operands with DRAM: int4 and binary (<1 s each)
gemm_int4_dram_ws          --arch systole-32x32 --array 8x8 --workload workloads/gemm_small.csv --data-type int4 --memory dram --verify --sample 10
gemm_int1_is               --arch systole-32x32 --array 8x8 --workload workloads/gemm_small.csv --data-type int1 --dataflow is --verify --sample 10
# Row stationary on the Eyeriss preset, with the power of every cycle (~2 s); a KV-cache decoder (<1 s)
rs_eyeriss_lenet           --arch eyeriss --memory ideal --workload workloads/lenet5.yaml --verify --sample 1
# Row stationary with DRAM and RLC (<1 s)
rs_eyeriss_lenet_dram      --arch eyeriss --memory dram --workload workloads/lenet5.yaml --verify --sample 1
decoder_kv_cache_os        --arch systole-32x32 --array 8x8 --dataflow os --workload equivalence/decoder.yaml --verify --sample 10
'

# Small workloads the matrix refers to as equivalence/NAME (written into the scratch directory).
write_workloads() {
  mkdir -p "$1"
  cat >"$1/rnn_attention.yaml" <<'EOF'
name: rnn_attention
batch: 4
layers:
  - {name: lstm2_bi, type: lstm, input_size: 64, hidden_size: 72, sequence_length: 8, layers: 2, bidirectional: true}
  - {name: gru, type: gru, input_size: 144, hidden_size: 80, sequence_length: 6}
  - {name: gru_lbr, type: gru, input_size: 80, hidden_size: 48, sequence_length: 5, linear_before_reset: true}
  - {name: attn, type: attention, sequence_length: 40, heads: 4, model_dim: 96}
  - {name: add, type: eltwise, shape: [40, 96]}
  - {name: proj, type: gemm, m: 40, n: 70, k: 96}
EOF
  cat >"$1/decoder.yaml" <<'EOF'
name: decoder
layers:
  - {name: llm, type: decoder, model_dim: 64, heads: 4, mlp_dim: 96, prompt_tokens: 24, decode_steps: 4}
EOF
}

# ---------------------------------------------------------------------------

usage() {
  echo "usage: $0 record|compare BINARY DIR" >&2
  exit 2
}
[[ $# -eq 3 ]] || usage
MODE=$1
[[ $MODE == record || $MODE == compare ]] || usage
BIN=$2
DIR=$3
if [[ $BIN != */* ]]; then BIN=$(command -v -- "$BIN" || true); fi
[[ -n $BIN && -x $BIN && -f $BIN ]] || { echo "$0: $2: not an executable file" >&2; exit 2; }
BIN=$(readlink -f -- "$BIN")
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$(readlink -m -- "$DIR")
JOBS=${EQUIV_JOBS:-2}
read -r -a EXTRA_ARGS <<<"${EQUIV_EXTRA_ARGS:-}"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "$0: EQUIV_JOBS must be a positive integer" >&2; exit 2; }
MARKER=.check_equivalence   # file identifying DIR as a record of this script

# Parse the matrix.
NAMES=()
ARGS=()   # each entry: the run's arguments, space-separated
while IFS= read -r line; do
  [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
  read -r -a words <<<"$line"
  name=${words[0]}
  [[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "$0: bad run name '$name'" >&2; exit 2; }
  for n in "${NAMES[@]}"; do [[ $n != "$name" ]] || { echo "$0: run '$name' listed twice" >&2; exit 2; }; done
  NAMES+=("$name")
  ARGS+=("${words[*]:1}")   # single spaces between words
done <<<"$MATRIX"

if [[ $MODE == record && -e $DIR && ! -f $DIR/$MARKER ]] && ! [[ -d $DIR && -z $(ls -A "$DIR") ]]; then
  echo "$0: $DIR exists and is not a record of this script: not overwriting it" >&2
  exit 2
fi
if [[ $MODE == compare && ! -f $DIR/$MARKER ]]; then
  echo "$0: $DIR is not a record (no $MARKER): run '$0 record BASELINE_BINARY $DIR' first" >&2
  exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/check_equivalence.XXXXXX")
KEEP_WORK=0
cleanup() { if [[ $KEEP_WORK == 0 ]]; then rm -rf -- "$WORK"; fi; }
trap cleanup EXIT

# The scratch directory the runs execute in.
CWD=$WORK/cwd
mkdir -p "$CWD/out"
for entry in "$REPO"/*; do ln -s "$entry" "$CWD/$(basename "$entry")"; done
[[ ! -e $CWD/equivalence ]] || { echo "$0: the repository has a top-level 'equivalence': rename the scratch folder" >&2; exit 2; }
write_workloads "$CWD/equivalence"
NEW=$WORK/new   # normalised outputs of this invocation
mkdir -p "$NEW"

# --- normalisation (identical for record and compare) ----------------------
norm_summary() {  # wall-clock values in totals; the build directory of preset paths
  awk '
    /^  "totals": \{$/ { totals = 1 }
    totals && /^  \}/ { totals = 0 }
    totals && /^    "(wall_time|simulation_rate)": \{$/ { wall = 1 }
    wall && /^      "value": / { sub(/"value": [^,]*/, "\"value\": \"<wall-clock>\"") }
    wall && /^    \}/ { wall = 0 }
    /^    "source": "\/.*\/models\/presets\/[^\/"]*",?$/ { sub(/"source": "\/.*\/models\/presets\//, "\"source\": \"<preset dir>/") }
    { print }
  ' "$1"
}
norm_stdout() {
  sed -E 's/simulated in [^ ]+ s/simulated in <wall-clock> s/' "$1"
}
# Runs one matrix entry and stores its normalised outputs in $NEW/NAME.
run_one() {
  local name=$1 args_line=$2
  local dest=$NEW/$name raw=out/$name
  mkdir -p "$dest" "$CWD/$raw"
  local -a words args=()
  local a
  read -r -a words <<<"$args_line"
  for a in "${words[@]}"; do args+=("${a//@VCD/$raw/run.vcd}"); done
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  (cd "$CWD" && exec timeout 1800 "$BIN" run "${args[@]}" "${EXTRA_ARGS[@]}" --out "$raw") \
    >"$CWD/$raw.stdout" 2>"$CWD/$raw.stderr" </dev/null || rc=$?
  t1=$(date +%s.%N)
  printf '%s\n' "$args_line" >"$dest/.args"
  echo "$rc" >"$dest/.exit"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$dest/.seconds"
  cp "$CWD/$raw.stderr" "$dest/stderr.txt"
  norm_stdout "$CWD/$raw.stdout" >"$dest/stdout.txt"
  local f base
  for f in "$CWD/$raw"/*; do
    [[ -e $f ]] || continue
    base=$(basename "$f")
    case $base in
      summary.json) norm_summary "$f" >"$dest/$base" ;;
      *) cp "$f" "$dest/$base" ;;
    esac
  done
  rm -rf -- "${CWD:?}/$raw" "$CWD/$raw.stdout" "$CWD/$raw.stderr"
  printf '  ran %-28s exit %s in %6s s\n' "$name" "$rc" "$(cat "$dest/.seconds")" >&2
}

# --- run the matrix, JOBS at a time -----------------------------------------
echo "$MODE: ${#NAMES[@]} runs of $BIN, $JOBS at a time (scratch $WORK)" >&2
T_START=$(date +%s.%N)
running=0
for i in "${!NAMES[@]}"; do
  if ((running >= JOBS)); then
    wait -n || true
    running=$((running - 1))
  fi
  run_one "${NAMES[$i]}" "${ARGS[$i]}" &
  running=$((running + 1))
done
wait || true
T_END=$(date +%s.%N)
TOTAL=$(awk -v a="$T_START" -v b="$T_END" 'BEGIN { printf "%.1f", b - a }')

# A run's exit status; "none" if run_one itself failed.
exit_of() { if [[ -f $NEW/$1/.exit ]]; then cat "$NEW/$1/.exit"; else echo none; fi; }
seconds_of() { if [[ -f $NEW/$1/.seconds ]]; then cat "$NEW/$1/.seconds"; else echo '?'; fi; }
indent_tail() { tail -n "$2" "$1" 2>/dev/null | sed 's/^/      /' || true; }

passed=0
failed=0
if [[ $MODE == record ]]; then
  for name in "${NAMES[@]}"; do
    rc=$(exit_of "$name")
    problem=
    if [[ $rc != 0 ]]; then
      problem="FAILED (exit $rc)"
    elif [[ $(grep -c 'simulated in <wall-clock> s' "$NEW/$name/stdout.txt") != 1 ]]; then
      problem="FAILED: stdout has no 'simulated in X s' to normalise (update norm_stdout)"
    elif [[ $(grep -c '"value": "<wall-clock>"' "$NEW/$name/summary.json") != 2 ]]; then
      problem="FAILED: summary.json's totals.wall_time/simulation_rate not found (update norm_summary)"
    fi
    if [[ -z $problem ]]; then
      echo "$name: recorded ($(seconds_of "$name") s)"
      passed=$((passed + 1))
    else
      echo "$name: $problem"
      indent_tail "$NEW/$name/stderr.txt" 5
      failed=$((failed + 1))
    fi
  done
  echo "matrix: ${#NAMES[@]} runs in $TOTAL s wall, $JOBS at a time"
  if ((failed == 0)); then
    if [[ -e $DIR ]]; then rm -rf -- "$DIR"; fi   # a previous record or an empty folder (checked above)
    {
      echo "recorded by scripts/check_equivalence.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
      echo "binary: $BIN ($("$BIN" --version 2>&1 | head -n 1); sha256 $(sha256sum "$BIN" | cut -d' ' -f1))"
      echo "repository: $REPO ($(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo 'not a git checkout'))"
      echo "extra arguments: ${EXTRA_ARGS[*]}"
      echo "matrix:"
      for i in "${!NAMES[@]}"; do echo "  ${NAMES[$i]} ${ARGS[$i]}"; done
    } >"$NEW/$MARKER"
    mkdir -p "$(dirname "$DIR")"
    mv -- "$NEW" "$DIR"
    echo "recorded in $DIR"
  else
    echo "nothing recorded: a run failed" >&2
  fi
  echo "$passed passed, $failed failed"
  ((failed == 0)) || exit 1
  exit 0
fi

# compare
for name in "${NAMES[@]}"; do
  rc=$(exit_of "$name")
  secs=$(seconds_of "$name")
  old=$DIR/$name
  new=$NEW/$name
  if [[ $rc != 0 ]]; then
    echo "$name: FAILED (exit $rc, $secs s)"
    indent_tail "$new/stderr.txt" 5
    failed=$((failed + 1))
    continue
  fi
  if [[ ! -d $old ]]; then
    echo "$name: DIFFERS: not in the record (re-record with the baseline binary)"
    failed=$((failed + 1))
    continue
  fi
  if [[ $(cat "$old/.args" 2>/dev/null) != "$(cat "$new/.args")" ]]; then
    echo "$name: DIFFERS: its arguments changed since the record (re-record with the baseline binary)"
    failed=$((failed + 1))
    continue
  fi
  # Every compared file of either side (stdout.txt and whatever the run wrote),
  # the summary table first, then the reports, then the rest (the VCD).
  mapfile -t files < <( (cd "$old" && ls -A; cd "$new" && ls -A) | grep -v -e '^\.' -e '^stderr\.txt$' | sort -u |
    awk '{ p = index(" stdout.txt layers.csv summary.json utilization.csv ", " " $0 " "); print (p ? p : 999), $0 }' |
    sort -n -k1,1 -k2 | cut -d' ' -f2-)
  differing=()
  for f in "${files[@]}"; do
    if [[ ! -f $old/$f || ! -f $new/$f ]] || ! cmp -s "$old/$f" "$new/$f"; then differing+=("$f"); fi
  done
  if ((${#differing[@]} == 0)); then
    echo "$name: identical ($secs s)"
    passed=$((passed + 1))
    continue
  fi
  failed=$((failed + 1))
  first=${differing[0]}
  also=
  if ((${#differing[@]} > 1)); then also="; also differ: ${differing[*]:1}"; fi
  if [[ ! -f $old/$first ]]; then
    echo "$name: DIFFERS: $first written now, not in the record$also"
  elif [[ ! -f $new/$first ]]; then
    echo "$name: DIFFERS: $first in the record, not written now$also"
  else
    echo "$name: DIFFERS in $first ($(cmp "$old/$first" "$new/$first" 2>&1 | sed 's/^.*differ: //' | head -n 1))$also"
    diff -u --label "record/$name/$first" --label "now/$name/$first" "$old/$first" "$new/$first" \
      | sed -n '3,14p' | cut -c1-200 | sed 's/^/      /' || true
  fi
done
echo "matrix: ${#NAMES[@]} runs in $TOTAL s wall, $JOBS at a time"
if ((failed > 0)); then
  KEEP_WORK=1
  echo "this run's normalised outputs are kept in $NEW"
fi
echo "$passed passed, $failed failed"
((failed == 0))
