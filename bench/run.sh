#!/usr/bin/env bash
# Side-by-side epoch times: kerasctl vs real Keras (TensorFlow and JAX backends), same
# machine, same run. Usage: bench/run.sh [EPOCHS] [MODELS...]   (models: mlp cnn cnn_bn lstm transformer)
set -uo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-3}; shift || true
MODELS=${*:-mlp cnn cnn_bn lstm}
BIN=.build/release/kerasctl
OUT=bench-out; mkdir -p "$OUT"
REF=bench/keras_reference.py
PY=${KERAS_PYTHON:-python3}   # the interpreter with Keras (make keras-venv: .venv-keras/bin/python)
declare -A SPEC=([mlp]=specs/fashion_mlp.yaml [cnn]=specs/bench_cnn.yaml [cnn_bn]=specs/bench_cnn_bn.yaml [lstm]=specs/bench_lstm.yaml
                 [transformer]=specs/fashion_transformer.yaml)
# The Keras side: bench/keras_reference.py, or a model's own script beside its spec.
declare -A KERAS_CMD=([transformer]="specs/fashion_transformer_keras.py")
# GFLOP per epoch (forward + weight gradients + input gradients but the first layer's), 60,000 images.
# LSTM(128) on 28 steps of 28: per step and example 2·512·(28+128) forward, 2·512·(28+128+128)
# backward (kernel and recurrent-kernel gradients, hidden-state gradient), gates not counted.
# Transformer (one encoder block, 28 tokens, width 32, 4 heads of key_dim 32, 54,000 training
# images): per example forward ≈ 1.6 MFLOP (projections 0.92, scores and mixing 0.40,
# feed-forward 0.23, token Dense 0.05), training ≈ 3× that.
# CNN + BatchNorm: forward 18.3 M multiply-adds per image (conv 28²·32·9, 28²·32·288, 14²·64·288,
# 14²·64·576, Dense 3136·10), so 36.6 MFLOP forward, as much for the weight gradients and 36.2 for
# the input gradients: 109.5 MFLOP per image.
declare -A GFLOP=([mlp]=192 [cnn]=880 [cnn_bn]=6568 [lstm]=757 [transformer]=260)

# The ceiling, in this run: sgemm at 3072³ on all cores (bench/sgemm_ceiling.c), oneDNN (what
# kerasctl runs) and OpenBLAS (with the core type kerasctl picks, when it overrides OpenBLAS's).
CEIL=0
if cc -O2 bench/sgemm_ceiling.c -o "$OUT/sgemm_ceiling" -ldnnl -lopenblas 2>/dev/null; then
  CORE=$("$BIN" --version 2>/dev/null | sed -n 's/.*OPENBLAS_CORETYPE=\([A-Za-z0-9]*\).*/\1/p' | head -1)
  while read -r lib rate; do
    echo "ceiling: sgemm 3072³ on all cores, $lib: $rate GFLOP/s"
    [ "$rate" -gt "$CEIL" ] && CEIL=$rate
  done < <(env OMP_WAIT_POLICY=passive ${CORE:+OPENBLAS_CORETYPE=$CORE} "$OUT/sgemm_ceiling")
fi
share() { python3 -c "print('%.0f%%' % (100.0*float('$1')/$CEIL) if $CEIL and '$1' not in ('n/a','') else 'n/a')"; }

median_after_first() { python3 -c '
import json,sys
s=[d["seconds"] for d in (json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")) if "seconds" in d]
s=s[1:] or s
s.sort(); print("%.2f" % s[len(s)//2] if s else "n/a")' "$1"; }

printf "%-6s %-22s %10s %10s %8s %12s %10s\n" model engine "epoch s" "GFLOP/s" "of ceil" "peak MB" "test acc"
for m in $MODELS; do
  spec=${SPEC[$m]}
  [ -f "$spec" ] || { echo "$m: no $spec yet"; continue; }
  /usr/bin/time -f "%M" -o "$OUT/$m.mem" "$BIN" train "$spec" --epochs "$EPOCHS" --quiet \
      --metrics-out "$OUT/$m.kerasctl.jsonl" -o "$OUT/$m.model" >/dev/null 2>"$OUT/$m.err" || { echo "$m: kerasctl failed: $(tail -1 "$OUT/$m.err")"; continue; }
  sec=$(median_after_first "$OUT/$m.kerasctl.jsonl")
  acc=$(python3 -c 'import json,sys;print([json.loads(l) for l in open(sys.argv[1])][-1].get("test_accuracy","n/a"))' "$OUT/$m.kerasctl.jsonl")
  gf=$(python3 -c "print('%.0f' % (${GFLOP[$m]}/$sec) if ${GFLOP[$m]} and '$sec'!='n/a' else 'n/a')")
  printf "%-6s %-22s %10s %10s %8s %12s %10s\n" "$m" kerasctl "$sec" "$gf" "$(share "$gf")" "$(( $(tail -1 "$OUT/$m.mem") / 1024 ))" "$acc"
  if "$PY" -c "import keras" 2>/dev/null; then
    for be in tensorflow jax; do
      if [ -n "${KERAS_CMD[$m]:-}" ]; then cmd=("${KERAS_CMD[$m]}" "$EPOCHS"); else cmd=("$REF" "$m" "$EPOCHS"); fi
      KERAS_BACKEND=$be /usr/bin/time -f "%M" -o "$OUT/$m.$be.mem" "$PY" "${cmd[@]}" >"$OUT/$m.$be.jsonl" 2>"$OUT/$m.$be.err" || { echo "$m: keras/$be failed"; continue; }
      sec=$(median_after_first "$OUT/$m.$be.jsonl")
      acc=$(python3 -c 'import json,sys;print([json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1].get("test_accuracy","n/a"))' "$OUT/$m.$be.jsonl")
      gf=$(python3 -c "print('%.0f' % (${GFLOP[$m]}/$sec) if ${GFLOP[$m]} and '$sec'!='n/a' else 'n/a')")
      printf "%-6s %-22s %10s %10s %8s %12s %10s\n" "$m" "keras/$be" "$sec" "$gf" "$(share "$gf")" "$(( $(tail -1 "$OUT/$m.$be.mem") / 1024 ))" "$acc"
    done
  else
    echo "$m: real Keras not installed (pip install tensorflow-cpu jax) — no side-by-side figures"
  fi
done
