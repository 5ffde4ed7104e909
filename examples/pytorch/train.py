"""Trains the paper's network (Dhar & Shamir's LeNet-5-style CNN, as
skybias's lenet5x) with PyTorch on a catalog written by `skybias synth`,
in a chosen training design, and exports it as ONNX for skybias to audit.

  python3 train.py --catalog CAT.csv --design spiral:f1,elliptical:f2 \
      --out design.onnx [--predict design.csv]

--design names, per class, the field its training galaxies come from
("spiral:f1,elliptical:f2" is the paper's biased design, Table 6; use
"spiral:f1+f2,elliptical:f1+f2" for a balanced one). The first --n-train
galaxies of each class and field named train; those from --test-from on
(every field) are the test set, the same whatever the design, so that a
design and its baseline are tested on the same galaxies. Writes NAME.onnx (opset 13, a dynamic
batch axis; with --networks K, also NAME-2.onnx ... NAME-K.onnx), NAME.yaml
(its input size for skybias), and with --predict a CSV of the test
galaxies, id,class,field,net1,...,netK (each network's p(spiral)), the
form `skybias audit` reads. Prints the training accuracy of every epoch:
a network that did not learn is visible here. --epochs 0 exports an
untrained network (a control for the feature probe).
Uses Debian's python3-torch and python3-pil only."""
import argparse, csv, os, sys

import numpy as np
import torch
from PIL import Image
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--catalog", required=True)
p.add_argument("--design", required=True)
p.add_argument("--n-train", type=int, default=600, help="training galaxies per class and field named")
p.add_argument("--test-from", type=int, default=600, help="galaxies from this position on in each class and field are the test set")
p.add_argument("--input", type=int, default=48)
p.add_argument("--epochs", type=int, default=8)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--networks", type=int, default=1, help="independently trained networks (seeds SEED, SEED+1, ...)")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--out", required=True)
p.add_argument("--predict")
p.add_argument("--test-png", help="also write each test galaxy as the network saw it (INPUT px PNG, ID.png) to this folder")
a = p.parse_args()
torch.manual_seed(a.seed)
torch.set_num_threads(a.threads)

rows = list(csv.DictReader(open(a.catalog)))
base = os.path.dirname(os.path.abspath(a.catalog))
design = {}
for part in a.design.split(","):
    cls, fields = part.split(":")
    design[cls] = fields.split("+")
rank = {}  # a galaxy's position among its class and field
train, test = [], []
for r in rows:
    k = (r["class"], r["field"])
    rank[k] = rank.get(k, -1) + 1
    if rank[k] >= a.test_from:
        test.append(r)
    elif rank[k] < a.n_train and r["field"] in design.get(r["class"], []):
        train.append(r)
if not train or not test:
    sys.exit(f"train.py: {len(train)} training and {len(test)} test galaxies; write more with skybias synth --n")


def load(rs):
    x = np.stack([np.asarray(Image.open(os.path.join(base, r["image"])).convert("RGB")
                             .resize((a.input, a.input), Image.BOX), dtype=np.float32) / 255.0 for r in rs])
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()


def net(side):
    layers, ch, s = [], 3, side
    for i, w in enumerate([32, 32, 64, 64, 128]):
        layers += [nn.Conv2d(ch, w, 3, padding=1), nn.ReLU()]
        ch = w
        if i < 4:
            layers.append(nn.MaxPool2d(2))
            s //= 2
    layers += [nn.Flatten(), nn.Linear(ch * s * s, 128), nn.ReLU(), nn.Linear(128, 1), nn.Sigmoid()]
    return nn.Sequential(*layers)


x = load(train)
y = torch.tensor([[1.0 if r["class"] == "spiral" else 0.0] for r in train])
xt = load(test) if a.predict or a.test_png else None
if a.test_png:
    os.makedirs(a.test_png, exist_ok=True)
    for r, img in zip(test, (xt.permute(0, 2, 3, 1) * 255).round().to(torch.uint8).numpy()):
        Image.fromarray(img).save(os.path.join(a.test_png, r["id"] + ".png"))
stem = os.path.splitext(a.out)[0]
scores = []
for k in range(a.networks):
    seed = a.seed + k
    torch.manual_seed(seed)
    m = net(a.input)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    g = torch.Generator().manual_seed(seed)
    for epoch in range(a.epochs):
        m.train()
        order = torch.randperm(len(x), generator=g)
        right = 0
        for i in range(0, len(x), 32):
            b = order[i:i + 32]
            opt.zero_grad()
            out = m(x[b])
            loss_fn(out, y[b]).backward()
            opt.step()
            right += ((out > 0.5).float() == y[b]).sum().item()
        print(f"network {k + 1}, epoch {epoch + 1}: training accuracy {right / len(x):.3f}", flush=True)
    m.eval()
    path = a.out if k == 0 else f"{stem}-{k + 1}.onnx"
    torch.onnx.export(m, x[:1], path, opset_version=13, input_names=["image"], output_names=["p_spiral"],
                      dynamic_axes={"image": {0: "n"}, "p_spiral": {0: "n"}})
    if k > 0:
        with open(f"{stem}-{k + 1}.yaml", "w") as f:
            f.write(f"input: {a.input}\n")
    if a.predict:
        with torch.no_grad():
            scores.append(torch.cat([m(xt[i:i + 256]) for i in range(0, len(xt), 256)]).squeeze(1).tolist())
with open(stem + ".yaml", "w") as f:
    f.write(f"# written by examples/pytorch/train.py: RGB scaled to [0, 1], one sigmoid output\ninput: {a.input}\n")
if a.predict:
    with open(a.predict, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "class", "field"] + [f"net{k + 1}" for k in range(a.networks)])
        for i, r in enumerate(test):
            w.writerow([r["id"], r["class"], r["field"]] + [f"{s[i]:.6f}" for s in scores])
print(f"wrote {a.out}: {a.networks} network(s) trained on {len(train)} galaxies ({a.design}), {len(test)} test galaxies")
