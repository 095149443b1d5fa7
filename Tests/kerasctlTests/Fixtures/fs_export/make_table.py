"""Writes table.csv and rows.csv: a small synthetic table with every FeatureSpace feature
type's kind of column (strings, integer codes, floats with NA, a column name with a space,
free text) for the end-to-end export fixture. Deterministic (seeded); no Keras needed.

    python3 make_table.py
"""
import csv, random

rng = random.Random(20)
CITIES = ["Lyon", "Oslo", "Kyoto", "Quito", "Perth"]
WORDS = ["bright", "quiet", "old", "new", "big", "small", "garden", "view", "noisy", "dark"]


def row(i, unseen=False):
    city = rng.choice(CITIES + (["Cairo"] if unseen else []))
    grade = rng.choice([1, 2, 3, 3, 4] + ([9] if unseen else []))
    area = round(rng.uniform(20, 140), 1)
    price = round(area * rng.uniform(2, 5) + (40 if city == "Oslo" else 0), 2)
    age = round(rng.uniform(0, 60), 1)
    lat = round(rng.uniform(-40, 60), 3)
    note = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6))).capitalize()
    label = "high" if price > 300 else "mid" if price > 150 else "low"
    cells = {"city": city, "grade": grade, "zip code": f"Z{rng.randint(100, 140)}", "rooms": rng.randint(1, 6),
             "area": area, "price": price, "age": age, "lat": lat, "note": note, "label": label}
    # Missing values where the spec gives a fill (area, age) or where Keras reads them the
    # same way (an empty text, an unknown zip code hashed as "").
    if rng.random() < 0.1: cells["area"] = "NA"
    if rng.random() < 0.1: cells["age"] = "NA"
    if rng.random() < 0.05: cells["note"] = ""
    return cells


COLUMNS = ["city", "grade", "zip code", "rooms", "area", "price", "age", "lat", "note", "label"]
for name, n, unseen in [("table.csv", 120, False), ("rows.csv", 24, True)]:
    with open(name, "w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        for i in range(n):
            w.writerow(row(i, unseen))
