# Writes datasets/negation_train.csv and negation_test.csv: a synthetic sentiment task
# whose answer depends on word order, for Embedding(mask_zero) -> LSTM/GRU models.
#
# Vocabulary (ids): 0 = padding, 1 = "not", 2-7 = positive words, 8-13 = negative words,
# 14-31 = neutral words. A sentence is 6-24 words, right-padded with 0 to 24 columns
# w01..w24. Its score adds +1 per positive word and -1 per negative word, except that a
# word right after "not" counts with the opposite sign ("not good" is negative). The label
# `sentiment` is "positive" when the score is > 0 and "negative" when < 0 (ties are drawn
# again). About half the sentences contain a negation, so counting words without reading
# their order (a bag of words) is right only part of the time; the script prints that
# baseline's test accuracy.
# Run: python3 datasets/make_negation_sentiment.py   (standard library only; fixed seed)
import csv, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS, NOT, POS, NEG, NEUTRAL = 24, 1, range(2, 8), range(8, 14), range(14, 32)
rng = random.Random(20240611)


def sentence():
    while True:
        n = rng.randint(6, STEPS)
        words = []
        while len(words) < n:
            r = rng.random()
            if r < 0.12 and len(words) < n - 1:
                words += [NOT, rng.choice(list(POS) + list(NEG))]
            elif r < 0.45:
                words.append(rng.choice(list(POS) + list(NEG)))
            else:
                words.append(rng.choice(NEUTRAL))
        words = words[:n]
        score, flip = 0, False
        for w in words:
            s = 1 if w in POS else -1 if w in NEG else 0
            score += -s if flip else s
            flip = w == NOT
        naive = sum(1 if w in POS else -1 if w in NEG else 0 for w in words)
        if score != 0:
            return words + [0] * (STEPS - n), "positive" if score > 0 else "negative", naive


def write(name, count):
    rows = [sentence() for _ in range(count)]
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([f"w{k:02d}" for k in range(1, STEPS + 1)] + ["sentiment"])
        for words, label, _ in rows:
            w.writerow(words + [label])
    pos = sum(1 for _, l, _ in rows if l == "positive")
    bag = sum(1 for _, l, s in rows if (s > 0) == (l == "positive") and s != 0) / count
    print(f"{name}: {count} rows, {pos / count:.3f} positive; bag-of-words accuracy {bag:.3f}")


write("negation_train.csv", 3000)
write("negation_test.csv", 1000)
