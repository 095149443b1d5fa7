"""Reference TextVectorization outputs from real Keras for TextFeatureKerasTests.

    /work/venv-keras/bin/python Tests/KerasDataTests/Fixtures/text/make_fixture.py

Writes, beside itself: table.csv (a text column copied under four names, one per output
mode; NA marks a missing text, which kerasctl reads as an empty text), keras.json (each
feature's vocabulary, tf_idf weights) and encoded.csv (FeatureSpace in dict mode, outputs
side by side in Keras's order: sorted feature names).
"""
import csv, json, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, tensorflow as tf, keras
from keras import layers
from keras.utils import FeatureSpace

here = os.path.dirname(os.path.abspath(__file__))
texts = [
    "The cat sat on the mat.", "the DOG sat, and sat!", "A cat? A dog's toy...", "Élan vital, café au lait",
    "Don't stop: believe!", "NA", "well-known  facts\tand   figures", "100% sure; 3.5 stars",
    "cat cat cat dog", "\"Quoted\", she said", "the end", "The Cat and the Dog", "mat mat mat", "",
    "e-mail me@example.com", "ÇA VA? ça va.", "sat on a mat", "a b c d e f g h", "the the the", "dog",
    "A long sentence with many words that will be cut by the sequence length",
    "cat, dog, mat, hat", "Hat! Hat? hat.", "UPPER lower MiXeD", "tabs\tand\nnewlines", "one", "two two",
    "three three three", "the cat", "the dog", "on the mat", "under the table", "a cat and a dog",
    "toy story", "dog's toy", "cats' toys", "sat sat", "mat-cat", "cat_dog", "end.",
]
with open(os.path.join(here, "table.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["t_int", "t_multi", "t_count", "t_tfidf", "label"])
    for i, t in enumerate(texts):
        w.writerow([t, t, t, t, i % 2])
docs = np.array(["" if t == "NA" else t for t in texts])
configs = {
    "t_int": dict(output_mode="int", output_sequence_length=8),
    "t_multi": dict(output_mode="multi_hot", max_tokens=20),
    "t_count": dict(output_mode="count", ngrams=2, standardize="lower"),
    "t_tfidf": dict(output_mode="tf_idf", split="whitespace", standardize="strip_punctuation", max_tokens=30, pad_to_max_tokens=True),
}
fs = FeatureSpace(
    features={k: FeatureSpace.feature(dtype="string", preprocessor=layers.TextVectorization(**v),
                                      output_mode="int" if v["output_mode"] == "int" else "float") for k, v in configs.items()},
    output_mode="dict")
data = {k: docs for k in configs}
fs.adapt(tf.data.Dataset.from_tensor_slices(data))
out = fs(data)
names = list(out.keys())
assert names == sorted(configs), names
encoded = np.concatenate([np.array(out[k]).astype("float32").reshape(len(docs), -1) for k in names], axis=1)
state = {}
for k in names:
    tv = fs.preprocessors[k]
    s = {"vocabulary": [str(t) for t in tv.get_vocabulary()], "width": int(np.array(out[k]).reshape(len(docs), -1).shape[1])}
    if configs[k]["output_mode"] == "tf_idf":
        s["idf"] = [float(x) for x in np.array(tv._lookup_layer.idf_weights_const)]
    state[k] = s
state["keras"] = keras.__version__
json.dump(state, open(os.path.join(here, "keras.json"), "w"), indent=1, ensure_ascii=False)
np.savetxt(os.path.join(here, "encoded.csv"), encoded, delimiter=",", fmt="%.9g")
print(encoded.shape, {k: state[k]["width"] for k in names})
