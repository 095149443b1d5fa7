"""Reference for the graph topic: merge layers (outputs + input gradients) and
model.summary() text, as real Keras 3 prints it with an 80-column terminal.

Run: COLUMNS=80 python3 gen_graph.py  -> graph.json
Summary cases: {"name", "kind": "summary", "text"}; the Swift test builds the same model.
Merge cases: {"name", "kind": "merge", "layer", "config", "inputs": [arr], "output": arr,
"grads": [arr]} where grads are d(sum(output * w))/d(input) with w = "weight".
"""
import os
os.environ["COLUMNS"] = "80"
from _common import np, keras, tf, arr, write, case_rng  # noqa: E402

L = keras.layers
cases = []


def summary_case(name, model):
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s))
    cases.append({"name": name, "kind": "summary", "text": "\n".join(lines)})


# 1. The SPEC's MLP: Total params: 669,706.
mlp = keras.Sequential([
    keras.Input(shape=(784,)),
    L.Dense(512, activation="relu"), L.Dropout(0.2),
    L.Dense(512, activation="relu"), L.Dropout(0.2),
    L.Dense(10, activation="softmax"),
], name="sequential")
summary_case("sequential_mlp", mlp)

# 2. A siamese functional model with a shared layer, Subtract and Concatenate.
left = keras.Input(shape=(8,), name="left")
right = keras.Input(shape=(8,), name="right")
enc = L.Dense(4, activation="relu", name="enc")
l, r = enc(left), enc(right)
diff = L.Subtract(name="diff")([l, r])
cat = L.Concatenate(name="cat")([l, r, diff])
score = L.Dense(1, activation="sigmoid", name="score")(cat)
summary_case("functional_siamese", keras.Model([left, right], score, name="siamese"))

# 3. A chain functional model (printed like a Sequential, with its InputLayer row).
x = keras.Input(shape=(16,), name="features")
h = L.Dense(32, activation="relu", name="hidden")(x)
y = L.Dense(3, name="logits")(h)
summary_case("functional_chain", keras.Model(x, y, name="chain"))

# 4. Residual block on images with long names (wrapping) and a non-trainable layer.
img = keras.Input(shape=(6, 6, 2), name="image")
a = L.Dense(2, name="a_rather_long_layer_name_for_wrapping_tests")(img)
b = L.Add(name="skip")([img, a])
f = L.Flatten(name="flatten")(b)
o = L.Dense(5, name="probs", activation="softmax")(f)
frozen = L.Dense(5, name="frozen", trainable=False)(f)
mo = keras.Model(img, [o, frozen], name="residual_two_heads")
summary_case("functional_residual", mo)

# Merge layers: outputs and input gradients.
def merge_case(name, layer, shapes, config):
    rng = case_rng(name)
    xs = [tf.constant(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    with tf.GradientTape() as tape:
        for v in xs:
            tape.watch(v)
        y = layer(xs)
        w = tf.constant(rng.standard_normal(y.shape).astype(np.float32))
        loss = tf.reduce_sum(y * w)
    grads = tape.gradient(loss, xs)
    cases.append({"name": name, "kind": "merge", "layer": type(layer).__name__, "config": config,
                  "inputs": [arr(v) for v in xs], "output": arr(y), "weight": arr(w),
                  "grads": [arr(g) for g in grads]})


merge_case("add3", L.Add(), [(2, 3, 4)] * 3, {})
merge_case("add_broadcast", L.Add(), [(2, 3, 4), (2, 1, 4)], {})
merge_case("add_rank", L.Add(), [(2, 3, 4), (2, 4)], {})
merge_case("subtract", L.Subtract(), [(2, 5), (2, 5)], {})
merge_case("multiply3", L.Multiply(), [(2, 5)] * 3, {})
merge_case("average3", L.Average(), [(2, 5)] * 3, {})
merge_case("maximum3", L.Maximum(), [(2, 5)] * 3, {})
merge_case("minimum2", L.Minimum(), [(2, 3, 2), (2, 3, 2)], {})
merge_case("concat_last", L.Concatenate(), [(2, 3, 2), (2, 3, 4)], {"axis": -1})
merge_case("concat_axis1", L.Concatenate(axis=1), [(2, 1, 2), (2, 3, 2), (2, 2, 2)], {"axis": 1})
merge_case("dot_vectors", L.Dot(axes=1), [(3, 5), (3, 5)], {"axes": [1]})
merge_case("dot_cosine", L.Dot(axes=1, normalize=True), [(3, 5), (3, 5)], {"axes": [1], "normalize": True})
merge_case("dot_matrices", L.Dot(axes=(1, 2)), [(2, 3, 4), (2, 5, 3)], {"axes": [1, 2]})
merge_case("dot_last", L.Dot(axes=-1), [(2, 3, 4), (2, 5, 4)], {"axes": [-1]})
merge_case("dot_3d_norm", L.Dot(axes=(2, 1), normalize=True), [(2, 3, 4), (2, 4, 2)], {"axes": [2, 1], "normalize": True})

write("graph", cases)
