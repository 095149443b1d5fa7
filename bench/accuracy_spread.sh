#!/usr/bin/env bash
# Test accuracy of a Fashion-MNIST spec across seeds and OpenBLAS kernel families, to place
# the accuracy bars of the tests with an honest margin under the measured spread.
# KERNELS lists OPENBLAS_CORETYPE values ("native": unset, OpenBLAS's own choice — which
# kerasctl replaces by Haswell where OpenBLAS falls back to Prescott); default "native Haswell".
# Usage: [KERNELS="Haswell SkylakeX"] bench/accuracy_spread.sh SPEC [SEEDS...]   (default seeds 1 2 3 4 5)
set -uo pipefail
cd "$(dirname "$0")/.."
SPEC=${1:?usage: bench/accuracy_spread.sh SPEC [SEEDS...]}; shift
SEEDS=${*:-1 2 3 4 5}
BIN=${KERASCTL_BIN:-.build/release/kerasctl}
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
printf "%-28s %-6s %-22s %s\n" spec seed kernels test_accuracy
for kernels in ${KERNELS:-native Haswell}; do
  for seed in $SEEDS; do
    if [ "$kernels" = native ]; then env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
    else env=(env OPENBLAS_CORETYPE="$kernels"); fi
    "${env[@]}" "$BIN" train "$SPEC" --seed "$seed" --quiet --metrics-out "$OUT/m.jsonl" -o "$OUT/model" >/dev/null 2>"$OUT/err" \
      || { echo "$SPEC seed $seed $kernels: failed: $(tail -1 "$OUT/err")"; continue; }
    acc=$(python3 -c 'import json,sys;print([json.loads(l) for l in open(sys.argv[1])][-1]["test_accuracy"])' "$OUT/m.jsonl")
    printf "%-28s %-6s %-22s %.4f\n" "$SPEC" "$seed" "$kernels" "$acc"
    rm -rf "$OUT/model" "$OUT/m.jsonl"
  done
done
