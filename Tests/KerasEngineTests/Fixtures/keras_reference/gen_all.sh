#!/usr/bin/env bash
# Regenerate every Keras reference fixture in this directory (TensorFlow CPU backend).
set -euo pipefail
cd "$(dirname "$0")"
export KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3
for s in gen_activations.py gen_losses.py gen_optimizers.py gen_schedules.py \
         gen_layers_conv.py gen_layers_rnn.py rnn_extra_gen.py rnn_wide_gen.py gen_dense_mlp.py gen_attention.py gen_layer_norm.py; do
  echo "== $s"
  python3 "$s" 2>&1 | grep -v -e 'oneDNN' -e 'absl::InitializeLog' -e 'retracing' || true
done
python3 - <<'PY'
import glob, json, math
for f in sorted(glob.glob("*.json")):
    d = json.load(open(f))
    assert {"keras_version", "backend", "cases"} <= d.keys(), f
    bad = []
    def walk(v, p):
        if isinstance(v, float) and not math.isfinite(v): bad.append(p)
        elif isinstance(v, dict):
            if "shape" in v and "data" in v:
                n = 1
                for s in v["shape"]: n *= s
                assert n == len(v["data"]), (f, p)
            for k, x in v.items(): walk(x, p + "/" + k)
        elif isinstance(v, list):
            for i, x in enumerate(v): walk(x, p + f"[{i}]")
    walk(d, "")
    print(f"ok {f}: {len(d['cases'])} cases, non-finite: {len(bad)}")
PY
