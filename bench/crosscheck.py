"""An independent check of bench/run's ratios (issue 35).

bench/run trusts each program's own clock around its own loop. This
script trusts neither: it times whole processes from outside with one
clock, and takes each speed from the difference between a long and a
short run of the same process (E and 1 passes over the same images), so
start-up, building the graph, making the images and the warm-up cancel.
The PyTorch network is written here again, as a module of its own, not
taken from torch_bench.py. Both run with the same number of threads, set
explicitly (GOMAXPROCS; torch.set_num_threads and OMP_NUM_THREADS), and
PyTorch in both memory layouts, the faster one kept as the peer.

Usage: python3 bench/crosscheck.py TRAINBENCH [--rounds 3] [--threads 2]
(bench/crosscheck builds TRAINBENCH and calls this). Last lines:
    crosscheck train_img_per_s skybias=A pytorch=B (LAYOUT) ratio=A/B
    crosscheck infer_img_per_s ...
"""
import argparse, json, os, statistics, subprocess, sys, time


def torch_worker(a):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(a.threads)
    torch.manual_seed(2)

    class Paper(torch.nn.Module):
        # lenet5x: five 3x3 convolutions (32, 32, 64, 64, 128), ReLU,
        # a 2x2 max-pool after the first four, dense 128, one logit.
        def __init__(self, side):
            super().__init__()
            widths, ch = [32, 32, 64, 64, 128], 3
            self.convs = torch.nn.ModuleList()
            for w in widths:
                self.convs.append(torch.nn.Conv2d(ch, w, 3, padding=1))
                ch = w
            s = side
            for _ in range(4):
                s //= 2
            self.fc = torch.nn.Linear(ch * s * s, 128)
            self.out = torch.nn.Linear(128, 1)

        def forward(self, x):
            for i, c in enumerate(self.convs):
                x = F.relu(c(x))
                if i < 4:
                    x = F.max_pool2d(x, 2)
            return self.out(F.relu(self.fc(torch.flatten(x, 1))))

    fmt = torch.channels_last if a.layout == "channels_last" else torch.contiguous_format
    m = Paper(a.input).to(memory_format=fmt)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)
    n = a.batch * a.steps
    x = torch.rand(n, 3, a.input, a.input).contiguous(memory_format=fmt)
    y = (torch.arange(n) % 2).float().unsqueeze(1)
    batches = [(x[i:i + a.batch], y[i:i + a.batch]) for i in range(0, n, a.batch)]
    # warm-up: two training steps and one prediction, as trainbench does
    for xb, yb in batches[:2]:
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(m(xb), yb).backward()
        opt.step()
    if a.only == "train":
        m.train()
        for _ in range(a.epochs):
            for xb, yb in batches:
                opt.zero_grad()
                F.binary_cross_entropy_with_logits(m(xb), yb).backward()
                opt.step()
    else:
        m.eval()
        with torch.no_grad():
            m(batches[0][0])
            for _ in range(a.epochs):
                for xb, _ in batches:
                    m(xb)


def wall(cmd, env):
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument("trainbench", nargs="?")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--input", type=int, default=120)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--epochs", type=int, default=4, help="passes in the long run (the short run makes one)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--only", choices=["train", "infer"])
    p.add_argument("--layout", choices=["contiguous", "channels_last"], default="contiguous")
    a = p.parse_args()
    if a.worker:
        torch_worker(a)
        return
    if not a.trainbench:
        p.error("the trainbench binary is required")
    env = dict(os.environ, GOMAXPROCS=str(a.threads), OMP_NUM_THREADS=str(a.threads))
    n = a.batch * a.steps
    common = ["--input", str(a.input), "--batch", str(a.batch), "--steps", str(a.steps)]

    def sky(only, e):
        return [a.trainbench, "-input", str(a.input), "-batch", str(a.batch), "-steps", str(a.steps), "-only", only, "-epochs", str(e)]

    def torch(layout):
        return lambda only, e: [sys.executable, __file__, "--worker", "--threads", str(a.threads), "--layout", layout,
                                "--only", only, "--epochs", str(e)] + common

    peers = {"skybias": sky, "pytorch contiguous": torch("contiguous"), "pytorch channels_last": torch("channels_last")}
    speeds = {(who, only): [] for who in peers for only in ("train", "infer")}
    for r in range(a.rounds):
        for who, cmd in peers.items():
            for only in ("train", "infer"):
                short = wall(cmd(only, 1), env)
                long = wall(cmd(only, a.epochs), env)
                if long - short < 0.25 * long:
                    sys.exit(f"bench/crosscheck: {who} {only}: {a.epochs} passes took {long:.2f} s and 1 pass {short:.2f} s, "
                             "too close to tell the passes from start-up; raise --steps or --epochs")
                v = (a.epochs - 1) * n / (long - short)
                speeds[(who, only)].append(v)
                print(f"round {r + 1} {who} {only}: 1 pass {short:.2f} s, {a.epochs} passes {long:.2f} s: {v:.1f} img/s", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in speeds.items()}
    for who in peers:
        print(f"crosscheck {who}: train {med[(who, 'train')]:.1f} img/s, infer {med[(who, 'infer')]:.1f} img/s")
    for only in ("train", "infer"):
        layout = max(("contiguous", "channels_last"), key=lambda l: med[(f"pytorch {l}", only)])
        s, t = med[("skybias", only)], med[(f"pytorch {layout}", only)]
        print(f"crosscheck {only}_img_per_s skybias={s:.1f} pytorch={t:.1f} ({layout}) ratio={s / t:.2f}")


if __name__ == "__main__":
    main()
