"""PyTorch's side of bench/onnx-infer: the paper's network (as in
torch_bench.py, ending in a sigmoid), exported once with torch.onnx.export
(--export PATH), then timed at inference in one memory layout. Prints one
JSON line: infer_img_per_s, peak_rss_mb."""
import argparse, json, resource, time
import torch
from torch import nn

from onnx_net import net

p = argparse.ArgumentParser()
p.add_argument("--input", type=int, default=120)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--steps", type=int, default=12)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--layout", choices=["contiguous", "channels_last"], default="contiguous")
p.add_argument("--export", help="write the network as ONNX (opset 13) to this path and stop")
p.add_argument("--state", help="with --export: also save its weights (torch.save) to this path")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)


m = net(a.input).eval()
if a.export:
    torch.onnx.export(m, torch.zeros(1, 3, a.input, a.input), a.export, opset_version=13,
                      input_names=["image"], output_names=["p"], dynamic_axes={"image": {0: "n"}, "p": {0: "n"}})
    if a.state:
        torch.save(m.state_dict(), a.state)
    raise SystemExit
fmt = torch.channels_last if a.layout == "channels_last" else torch.contiguous_format
m = m.to(memory_format=fmt)
n = a.batch * a.steps
x = torch.rand(n, 3, a.input, a.input).contiguous(memory_format=fmt)
with torch.no_grad():
    m(x[:a.batch])
    t = time.perf_counter()
    for i in range(a.steps):
        m(x[i * a.batch:(i + 1) * a.batch])
    infer = n / (time.perf_counter() - t)
print(json.dumps({"infer_img_per_s": round(infer, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
