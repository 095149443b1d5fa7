#!/usr/bin/env bash
# Round trip between kerasctl and real Keras 3 (run from the repository root):
#  1. kerasctl trains small models (a Sequential MLP, a functional residual net and a net
#     of the activation/preprocessing/applications layers and constraints, the first two
#     with standardized inputs), `kerasctl export`s them to .keras, real Keras loads them
#     and predicts the same raw examples: predictions must equal kerasctl's to 1e-5.
#  2. real Keras trains a model and saves it as .keras and legacy .h5;
#     kerasctl reads both and predicts: predictions must equal Keras's to 1e-5.
# Skips (exit 0) when Keras is not installed: `pip install tensorflow-cpu`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${KERASCTL_BIN:-.build/release/kerasctl}
export KERAS_BACKEND=${KERAS_BACKEND:-tensorflow} TF_CPP_MIN_LOG_LEVEL=3
if ! python3 -c "import keras" >/dev/null 2>&1; then
  echo "SKIP: Keras is not installed (pip install tensorflow-cpu)"; exit 0
fi
[ -x "$BIN" ] || { echo "no kerasctl binary at $BIN (make build)"; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
quiet() { grep -v -E "^(WARNING|I0000|E0000|W0000)|absl|oneDNN|cpu_feature|instructions" || true; }
status=0

echo "== kerasctl -> Keras"
for spec in specs/iris.yaml bench/roundtrip/iris_residual.yaml bench/roundtrip/iris_layers.yaml; do
  name=$(basename "$spec" .yaml)
  "$BIN" train "$spec" -o "$tmp/$name" --quiet
  "$BIN" export "$tmp/$name" "$tmp/$name.keras"
  "$BIN" predict "$tmp/$name" --input datasets/iris.csv --probabilities > "$tmp/$name.kerasctl.csv"
  python3 bench/keras_roundtrip.py compare "$tmp/$name.keras" datasets/iris.csv "$tmp/$name.kerasctl.csv" 2>&1 | quiet
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
done

echo "== Keras -> kerasctl"
python3 bench/keras_roundtrip.py make "$tmp" 2>&1 | quiet
python3 - "$tmp" <<'PY'
import csv, sys
rows = list(csv.DictReader(open("datasets/iris.csv")))
with open(f"{sys.argv[1]}/features.csv", "w") as f:
    for r in rows: f.write(",".join(r[k] for k in r if k != "species") + "\n")
PY
for ext in keras h5; do
  "$BIN" summary "$tmp/keras_iris.$ext" | grep "Total params"
  "$BIN" predict "$tmp/keras_iris.$ext" --input "$tmp/features.csv" --probabilities > "$tmp/keras_iris.$ext.kerasctl.csv"
  python3 bench/keras_roundtrip.py same "$tmp/keras_iris.$ext.kerasctl.csv" "$tmp/keras_iris.predictions.csv" "keras_iris.$ext read by kerasctl"  || status=1
done
exit $status
