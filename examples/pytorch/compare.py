"""Compares skybias's predictions of imported networks with PyTorch's own,
galaxy by galaxy: the largest difference in p(spiral) and how many calls
(p > 1/2) differ, per input pipeline.

  python3 compare.py PYTORCH.csv SKYBIAS-PNG.csv SKYBIAS-JPEG.csv"""
import csv, sys

ref = list(csv.DictReader(open(sys.argv[1])))
nets = [k for k in ref[0] if k.startswith("net")]
for path, what in zip(sys.argv[2:], ["the pixels PyTorch saw (PNG)", "skybias's JPEG decoding and resampling"]):
    got = list(csv.DictReader(open(path)))
    worst, flips, n = 0.0, 0, 0
    for a, b in zip(ref, got):
        assert a["id"] == b["id"]
        for k in nets:
            x, y = float(a[k]), float(b[k])
            worst = max(worst, abs(x - y))
            flips += (x > 0.5) != (y > 0.5)
            n += 1
    print(f"skybias vs PyTorch on {what}: largest |p difference| {worst:.2g}, calls differing {flips} of {n}")
