# Writes datasets/sunspots_train.csv and sunspots_test.csv: sliding windows over the yearly
# sunspot numbers of datasets/sunspots.csv (1700-2008), for next-year regression.
# Each row: the 16 previous years t01..t16 (oldest first) and the target `next`, all in
# hundreds of sunspots (value / 100). Rows whose target year is <= 1948 go to train, later
# ones to test (a time split, no shuffling across it).
# Run: python3 datasets/make_sunspot_windows.py   (standard library only)
import csv, os

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS, SPLIT_YEAR = 16, 1948

with open(os.path.join(HERE, "sunspots.csv")) as f:
    rows = list(csv.DictReader(f))
years = [int(float(r["YEAR"])) for r in rows]
values = [float(r["SUNACTIVITY"]) / 100 for r in rows]

header = [f"t{k:02d}" for k in range(1, STEPS + 1)] + ["next"]
train, test = [], []
for i in range(STEPS, len(values)):
    row = [f"{v:.3f}".rstrip("0").rstrip(".") if v else "0" for v in values[i - STEPS:i + 1]]
    (train if years[i] <= SPLIT_YEAR else test).append(row)
for name, data in (("sunspots_train.csv", train), ("sunspots_test.csv", test)):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(data)
    print(name, len(data), "rows")

# Baselines for the test split (what a model should beat), in hundreds of sunspots.
def mae(pred, rows):
    return sum(abs(p - float(r[-1])) for p, r in zip(pred, rows)) / len(rows)
persist = [float(r[-2]) for r in test]
print("test MAE, next year = this year: %.4f" % mae(persist, test))
mean = sum(float(r[-1]) for r in train) / len(train)
print("test MAE, train mean: %.4f" % mae([mean] * len(test), test))
