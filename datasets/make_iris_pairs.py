"""Splits iris.csv into a stratified train/test pair of files and builds flower pairs
for the siamese example (same species or not). Standard library only; deterministic.

    python3 datasets/make_iris_pairs.py      # from the repository root

Writes, next to this script:
  iris_train.csv, iris_test.csv     120 / 30 flowers (40 / 10 per species), shuffled
  iris_pairs/{train,test}_left.csv  the first flower of each pair (4 features, header)
  iris_pairs/{train,test}_right.csv the second flower
  iris_pairs/{train,test}_same.csv  1 when both are the same species, else 0 (half each)
Pairs are drawn only within a split, so test pairs use flowers never seen in training.
"""
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def write(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def pairs(rows, count, rng):
    """`count` pairs, alternating same-species and different-species."""
    by_species = {}
    for r in rows:
        by_species.setdefault(r["species"], []).append(r)
    species = sorted(by_species)
    out = []
    for k in range(count):
        if k % 2 == 0:
            s = rng.choice(species)
            a, b = rng.sample(by_species[s], 2)
        else:
            s, t = rng.sample(species, 2)
            a, b = rng.choice(by_species[s]), rng.choice(by_species[t])
        out.append((a, b, int(a["species"] == b["species"])))
    rng.shuffle(out)
    return out


def main():
    rng = random.Random(2024)
    with open(os.path.join(HERE, "iris.csv")) as f:
        rows = list(csv.DictReader(f))
    train, test = [], []
    for s in sorted({r["species"] for r in rows}):
        group = [r for r in rows if r["species"] == s]
        rng.shuffle(group)
        test += group[:10]
        train += group[10:]
    rng.shuffle(train)
    rng.shuffle(test)
    header = FEATURES + ["species"]
    write(os.path.join(HERE, "iris_train.csv"), header, [[r[c] for c in header] for r in train])
    write(os.path.join(HERE, "iris_test.csv"), header, [[r[c] for c in header] for r in test])
    for split, source, count in [("train", train, 2000), ("test", test, 400)]:
        ps = pairs(source, count, rng)
        base = os.path.join(HERE, "iris_pairs", split)
        write(base + "_left.csv", FEATURES, [[a[c] for c in FEATURES] for a, _, _ in ps])
        write(base + "_right.csv", FEATURES, [[b[c] for c in FEATURES] for _, b, _ in ps])
        write(base + "_same.csv", ["same"], [[y] for _, _, y in ps])


if __name__ == "__main__":
    main()
