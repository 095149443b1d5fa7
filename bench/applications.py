"""keras.applications in kerasctl, side by side with real Keras (run from the repository root).

    python3 bench/applications.py check [NAME...]   # every architecture unless names are given
    python3 bench/applications.py speed [NAME...]   # inference images/s at batch 32

check: real Keras builds each architecture with weights=None at a small input size, perturbs
its weights (BatchNormalization's moving statistics too) and saves it as .keras, legacy .h5
and to_json() + save_weights() (Tests/KerasInteropTests/Fixtures/applications/
gen_applications.py). kerasctl must print Keras's parameter count (summary), predict what
Keras's model.predict gave from each format (max abs difference <= 1e-4, divided by the
largest output when that is above 1: logits and pooled features), and `kerasctl export` must
write a .keras that real Keras loads and predicts the same from. Exits 1 on any failure.

speed: ResNet50 (64x64), Xception (71x71), DenseNet121 (64x64), MobileNetV2 (64x64) and
EfficientNetB0 (64x64), 7 classes: images/s of `kerasctl predict --batch-size 32` (the
slope between 64 and 320 images, so loading the model is not counted) next to Keras's
model.predict(batch_size=32) on the TensorFlow and JAX backends, in this same run.

Needs Keras (pip install tensorflow-cpu jax keras); without it, prints SKIP and exits 0.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("KERASCTL_BIN", ".build/release/kerasctl")
GEN = "Tests/KerasInteropTests/Fixtures/applications/gen_applications.py"
PY = sys.executable
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")


def have_keras():
    return subprocess.run([PY, "-c", "import keras"], capture_output=True).returncode == 0


def write_idx(path, array):
    """An IDX float32 file (type 0x0D) of `array` (numpy)."""
    import numpy as np
    a = np.ascontiguousarray(array, dtype=">f4")
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 0x0D, a.ndim))
        for d in a.shape:
            f.write(struct.pack(">I", d))
        f.write(a.tobytes())


def peak_mb(memfile):
    """The peak resident memory /usr/bin/time wrote (kB) in MB, or '?'."""
    try:
        return f"{int(open(memfile).read().split()[-1]) / 1024:.0f}"
    except (OSError, ValueError, IndexError):
        return "?"


def kerasctl_predict(model, inputs, batch=32, extra=(), memfile=None):
    import numpy as np
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.idx")
        write_idx(path, inputs)
        timer = ["/usr/bin/time", "-f", "%M", "-o", memfile] if memfile else []
        p = subprocess.run(timer + [BIN, "predict", model, *extra, "--input", path, "--probabilities",
                            "--batch-size", str(batch)], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}")
        return np.array([[float(v) for v in line.split(",")] for line in p.stdout.strip().splitlines()])


def diff(got, want):
    """The largest difference, relative to the output's scale when that is above 1: two
    float32 implementations differ by rounding that deep nets carry to every output in
    proportion to its size (ResNet152's pooled features reach ~600)."""
    import numpy as np
    want = want.reshape(got.shape)
    return float(np.abs(got - want).max() / max(1.0, float(np.abs(want).max())))


def check(names):
    import numpy as np
    out = tempfile.mkdtemp(prefix="kerasctl-apps-")
    sys.path.insert(0, os.path.dirname(GEN))
    from gen_applications import ARCHS
    names = names or list(ARCHS)
    failures = 0
    print(f"{'architecture':<18} {'variant':<7} {'params':>10} {'summary':>8} {'.keras':>9} {'.h5':>9} {'json+w':>9} {'export':>9}")
    for name in names:
        g = subprocess.run([PY, GEN, out, name], capture_output=True, text=True, env=dict(ENV, KERAS_BACKEND="tensorflow"))
        if g.returncode != 0:
            print(f"{name}: Keras could not build it: {g.stderr.strip().splitlines()[-1:]}")
            failures += 1
            continue
        base = os.path.join(out, name)
        io = json.load(open(base + ".io.json"))
        x = np.array(io["inputs"][0]["data"], dtype=np.float32).reshape(io["inputs"][0]["shape"])
        y = np.array(io["outputs"][0]["data"], dtype=np.float32)
        row = [name, io["variant"], str(io["params"])]
        ok = True
        s = subprocess.run([BIN, "summary", base + ".keras"], capture_output=True, text=True)
        total = next((l.split(":")[1].split("(")[0].strip().replace(",", "") for l in s.stdout.splitlines() if "Total params" in l), "fail")
        row.append("ok" if total == str(io["params"]) else total)
        ok &= total == str(io["params"])
        results = {}
        for label, model, extra in [(".keras", base + ".keras", ()), (".h5", base + ".h5", ()),
                                    ("json+w", base + ".json", ("--weights", base + ".weights.h5"))]:
            try:
                d = diff(kerasctl_predict(model, x, extra=extra), y)
                results[label] = d
                row.append(f"{d:.1e}")
                ok &= d <= 1e-4
            except Exception as e:  # noqa: BLE001 - reported, counted as a failure
                row.append("FAIL")
                print(f"  {name} {label}: {e}")
                ok = False
        exported = base + ".exported.keras"
        e = subprocess.run([BIN, "export", base + ".keras", exported], capture_output=True, text=True)
        if e.returncode == 0:
            np.save(base + ".x.npy", x)
            r = subprocess.run([PY, "-c", f"""
import json, numpy as np, keras
m = keras.saving.load_model({exported!r})
x = np.load({base + ".x.npy"!r})
print(json.dumps(m.predict(x, verbose=0).reshape(-1).tolist()))
"""], capture_output=True, text=True, env=dict(ENV, KERAS_BACKEND="tensorflow"))
            if r.returncode == 0:
                d = diff(np.array(json.loads(r.stdout.strip().splitlines()[-1])).reshape(len(x), -1), y)
                row.append(f"{d:.1e}")
                ok &= d <= 1e-4
            else:
                row.append("FAIL")
                print(f"  {name} export: Keras: {r.stderr.strip().splitlines()[-1:]}")
                ok = False
        else:
            row.append("FAIL")
            print(f"  {name} export: {e.stderr.strip()}")
            ok = False
        print(f"{row[0]:<18} {row[1]:<7} {row[2]:>10} {row[3]:>8} " + " ".join(f"{c:>9}" for c in row[4:]) + ("" if ok else "  <- FAIL"), flush=True)
        failures += 0 if ok else 1
        for ext in (".keras", ".h5", ".json", ".weights.h5", ".exported.keras", ".x.npy", ".io.json"):
            if os.path.exists(base + ext):
                os.remove(base + ext)
    print(f"{len(names) - failures} of {len(names)} architectures pass")
    return 1 if failures else 0


SPEED = {"ResNet50": 64, "Xception": 71, "DenseNet121": 64, "MobileNetV2": 64, "EfficientNetB0": 64}

KERAS_SPEED = """
import json, sys, time, numpy as np, keras
name, side, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
m = keras.saving.load_model(path)
x = np.random.default_rng(1).uniform(0, 255, (320, side, side, 3)).astype("float32")
m.predict(x[:64], batch_size=32, verbose=0)
best = 1e9
for _ in range(3):
    t = time.perf_counter(); m.predict(x, batch_size=32, verbose=0); best = min(best, time.perf_counter() - t)
print(json.dumps({"img_per_s": 320 / best}))
"""


def speed(names):
    import numpy as np
    names = names or list(SPEED)
    out = tempfile.mkdtemp(prefix="kerasctl-speed-")
    print(f"{'model':<16} {'input':>7} {'kerasctl img/s':>15} {'Keras TF':>10} {'Keras JAX':>10}   peak MB: kerasctl / TF / JAX")
    for name in names:
        side = SPEED[name]
        path = os.path.join(out, name + ".keras")
        subprocess.run([PY, "-c", f"""
import keras
m = getattr(keras.applications, {name!r})(weights=None, input_shape=({side}, {side}, 3), classes=7)
m.save({path!r})
"""], check=True, capture_output=True, env=dict(ENV, KERAS_BACKEND="tensorflow"))
        x = np.random.default_rng(1).uniform(0, 255, (320, side, side, 3)).astype(np.float32)
        times = {}
        for n in (64, 320):
            best = 1e9
            for _ in range(3):
                t = time.perf_counter()
                kerasctl_predict(path, x[:n], memfile=os.path.join(out, "kerasctl.mem"))
                best = min(best, time.perf_counter() - t)
            times[n] = best
        ours = 256 / max(times[320] - times[64], 1e-9)
        mems = [peak_mb(os.path.join(out, "kerasctl.mem"))]
        theirs = []
        for backend in ("tensorflow", "jax"):
            memfile = os.path.join(out, backend + ".mem")
            r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", memfile, PY, "-c", KERAS_SPEED, name, str(side), path],
                               capture_output=True, text=True, env=dict(ENV, KERAS_BACKEND=backend))
            theirs.append(f"{json.loads(r.stdout.strip().splitlines()[-1])['img_per_s']:.0f}" if r.returncode == 0 else "fail")
            mems.append(peak_mb(memfile))
        print(f"{name:<16} {side:>4}x{side:<2} {ours:>15.0f} {theirs[0]:>10} {theirs[1]:>10}   {' / '.join(mems)}", flush=True)
    return 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("check", "speed"):
        print(__doc__)
        return 2
    if not have_keras():
        print("SKIP: Keras is not installed (pip install tensorflow-cpu jax keras)")
        return 0
    return check(sys.argv[2:]) if sys.argv[1] == "check" else speed(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
