"""Joins `skybias predict` outputs (file,p_spiral, one file per network)
into the predictions form `skybias audit` reads (id,class,field,net1,...),
in the galaxy order of a reference predictions file.

  python3 assemble.py FILES.txt REFERENCE.csv OUT.csv NET1.csv NET2.csv ...

FILES.txt lists the image file of each galaxy of REFERENCE.csv, in its
order (what was given to skybias predict)."""
import csv, os, sys

files, reference, out, nets = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
paths = [os.path.abspath(l.strip()) for l in open(files) if l.strip()]
ps = [{os.path.abspath(r["file"]): r["p_spiral"] for r in csv.DictReader(open(n))} for n in nets]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "class", "field"] + [f"net{k + 1}" for k in range(len(nets))])
    for path, r in zip(paths, csv.DictReader(open(reference))):
        w.writerow([r["id"], r["class"], r["field"]] + [p[path] for p in ps])
