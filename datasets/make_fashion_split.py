"""Splits Debian's Fashion-MNIST (dataset-fashion-mnist) into two tasks for the
transfer-learning example (standard library only; deterministic):

  A: clothes — T-shirt/top, Trouser, Pullover, Dress, Coat (labels 0-4): all 30,000
     training images, 5,000 test images. The backbone is trained on A.
  B: the rest — Sandal, Shirt, Sneaker, Bag, Ankle boot (labels 5-9, relabelled 0-4):
     only the first 200 training images (a small data set, as in transfer learning),
     all 5,000 test images.

    python3 datasets/make_fashion_split.py OUT_FOLDER [SOURCE_FOLDER]

writes OUT_FOLDER/{a,b}-{train,test}-{images,labels}.idx.gz. SOURCE_FOLDER defaults to
/usr/share/datasets/fashion-mnist.
"""
import gzip
import os
import struct
import sys


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    _, _, kind, rank = struct.unpack(">BBBB", data[:4])
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    assert kind == 0x08, f"{path}: expected unsigned bytes"
    size = 1
    for d in dims[1:]:
        size *= d
    body = data[4 + 4 * rank:]
    return dims, [body[i * size:(i + 1) * size] for i in range(dims[0])]


def write_idx(path, dims, items):
    header = struct.pack(">BBBB", 0, 0, 0x08, len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(header + b"".join(items))


def main():
    out = sys.argv[1]
    src = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    os.makedirs(out, exist_ok=True)
    for split, prefix, b_limit in (("train", "train", 200), ("test", "t10k", None)):
        dims, images = read_idx(os.path.join(src, f"{prefix}-images-idx3-ubyte.gz"))
        _, labels = read_idx(os.path.join(src, f"{prefix}-labels-idx1-ubyte.gz"))
        labels = [l[0] for l in labels] if isinstance(labels[0], bytes) else labels
        for task, keep, shift, limit in (("a", range(0, 5), 0, None), ("b", range(5, 10), 5, b_limit)):
            chosen = [(img, lab - shift) for img, lab in zip(images, labels) if lab in keep]
            if limit is not None:
                chosen = chosen[:limit]
            write_idx(os.path.join(out, f"{task}-{split}-images.idx.gz"), (len(chosen),) + tuple(dims[1:]), [c[0] for c in chosen])
            write_idx(os.path.join(out, f"{task}-{split}-labels.idx.gz"), (len(chosen),), [bytes([c[1]]) for c in chosen])
            print(f"{task}-{split}: {len(chosen)} images")


if __name__ == "__main__":
    main()
