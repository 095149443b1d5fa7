# Writes datasets/iris.csv from the copy of Fisher's Iris data shipped with scikit-learn.
# Run: python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
#      /tmp/skvenv/bin/python datasets/make_iris.py > datasets/iris.csv
import csv, random, sys
from sklearn.datasets import load_iris

iris = load_iris()
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
rows = [[f"{v:.1f}" for v in row] + [iris.target_names[label]] for row, label in zip(iris.data, iris.target)]
# Shuffled once with a fixed seed: the source is sorted by species, and Keras's
# validation_split takes the *last* rows, which would then all be one species.
random.Random(0).shuffle(rows)
for row in rows:
    out.writerow(row)
