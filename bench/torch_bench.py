"""PyTorch's version of skybias's benchmark: the paper's network (lenet5x:
conv3x3 32,32,64,64,128 with ReLU, 2x2 max-pool after the first four,
dense 128, one logit), Adam, binary cross-entropy from logits, on random
images. Prints one JSON line like bench/trainbench."""
import argparse, json, time
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--input", type=int, default=120)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--steps", type=int, default=12)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--layout", choices=["contiguous", "channels_last"], default="contiguous",
               help="memory layout of the images and weights: channels_last is PyTorch's faster CPU layout for convolutions")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)

def net(side):
    layers, ch, s = [], 3, side
    for i, w in enumerate([32, 32, 64, 64, 128]):
        layers += [nn.Conv2d(ch, w, 3, padding=1), nn.ReLU()]
        ch = w
        if i < 4:
            layers.append(nn.MaxPool2d(2))
            s //= 2
    layers += [nn.Flatten(), nn.Linear(ch * s * s, 128), nn.ReLU(), nn.Linear(128, 1)]
    return nn.Sequential(*layers)

m = net(a.input)
fmt = torch.channels_last if a.layout == "channels_last" else torch.contiguous_format
m = m.to(memory_format=fmt)
opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)
loss_fn = nn.BCEWithLogitsLoss()
n = a.batch * a.steps
x = torch.rand(n, 3, a.input, a.input).contiguous(memory_format=fmt)
y = (torch.arange(n) % 2).float().unsqueeze(1)

def epoch(k):
    m.train()
    for i in range(k):
        xb, yb = x[i * a.batch:(i + 1) * a.batch], y[i * a.batch:(i + 1) * a.batch]
        opt.zero_grad()
        loss_fn(m(xb), yb).backward()
        opt.step()

epoch(2)
t0 = time.perf_counter()
epoch(a.steps)
train = n / (time.perf_counter() - t0)
m.eval()
with torch.no_grad():
    m(x[:a.batch])
    t1 = time.perf_counter()
    for i in range(a.steps):
        m(x[i * a.batch:(i + 1) * a.batch])
    infer = n / (time.perf_counter() - t1)

def peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
    return 0.0

print(json.dumps({"train_img_per_s": train, "infer_img_per_s": infer, "peak_rss_mb": peak_rss(),
                  "threads": a.threads, "input": a.input, "batch": a.batch, "layout": a.layout}))
