"""negation_text_{train,test}.csv: the negation sentiment data (make_negation_sentiment.py)
as English-like text, for text features (TextVectorization) — standard library only:

    python3 datasets/make_negation_text.py

Each word id becomes a word (0 is padding and is dropped); the first word is capitalised
and the review ends with "." or "!" (chosen by the row number), so `standardize` has work
to do. The label stays `sentiment`; the answer still depends on word order ("not good").
"""
import csv, os

here = os.path.dirname(os.path.abspath(__file__))
WORDS = {1: "not"}
WORDS.update(zip(range(2, 8), ["good", "great", "excellent", "wonderful", "fine", "superb"]))
WORDS.update(zip(range(8, 14), ["bad", "awful", "terrible", "poor", "boring", "dull"]))
WORDS.update(zip(range(14, 32), ["the", "movie", "was", "a", "plot", "actor", "film", "it", "story", "and", "this",
                                 "scene", "really", "quite", "some", "very", "also", "seemed"]))
for split in ("train", "test"):
    with open(os.path.join(here, f"negation_{split}.csv"), newline="") as f, \
         open(os.path.join(here, f"negation_text_{split}.csv"), "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["review", "sentiment"])
        for i, row in enumerate(csv.DictReader(f)):
            words = [WORDS[int(row[f"w{k:02d}"])] for k in range(1, 25) if int(row[f"w{k:02d}"]) != 0]
            text = " ".join(words)
            text = text[:1].upper() + text[1:] + ("!" if i % 3 == 0 else ".")
            w.writerow([text, row["sentiment"]])
