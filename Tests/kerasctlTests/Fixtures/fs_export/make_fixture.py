"""The end-to-end export fixture, made with kerasctl and real Keras (from the repository root):

    KERASCTL_BIN=.build/release/kerasctl /work/venv-keras/bin/python \
        Tests/kerasctlTests/Fixtures/fs_export/make_fixture.py

For mixed.yaml (every feature type, concat) and text_dict.yaml (dict mode, int text into an
Embedding and a GRU): trains the spec with kerasctl into <name>_model/ (kept, so the tests
need no training), exports <name>.keras, and writes <name>_keras.csv: real Keras's
`load_model(<name>.keras).predict` on rows.csv's raw rows (unseen categories, NA numbers,
empty texts). FeatureSpaceExportTests checks that kerasctl predicts these numbers from the
model directory and that a fresh export writes the same config.json. The check against
kerasctl's predictions runs here too (as bench/keras_export_tables.py does).
"""
import os, shutil, sys
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "..", "bench"))
import numpy as np
import keras_export_tables as kx

rows = os.path.join(here, "rows.csv")
for name in ["mixed", "text_dict"]:
    spec = os.path.join(here, name + ".yaml")
    model_dir, keras_file = os.path.join(here, name + "_model"), os.path.join(here, name + ".keras")
    shutil.rmtree(model_dir, ignore_errors=True)
    kx.run("train", spec, "-o", model_dir, "--quiet")
    kx.run("export", model_dir, keras_file)
    _, na_values, texts = kx.spec_table(spec)
    theirs = kx.keras_predict(keras_file, rows, na_values, texts)
    np.savetxt(os.path.join(here, name + "_keras.csv"), theirs, fmt="%.9g", delimiter=",")
    d = kx.difference(kx.kerasctl_predict(model_dir, rows), theirs)
    print(f"{name}: {theirs.shape[0]} rows, kerasctl vs Keras largest difference {d:.2e}")
    if d > 1e-4:
        sys.exit(1)
