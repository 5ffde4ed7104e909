"""PyTorch's side of bench/annotate-real: the same galaxies skybias
annotated (the id column of its catalog), each decoded with PIL, resized
to the network's input by area averaging (BOX), predicted by the paper's
network (the one exported to ONNX for skybias) in batches of 32, and
written as id,p_spiral. Prints one JSON line: galaxies_per_s."""
import argparse, csv, json, os, time
import numpy as np
import torch
from PIL import Image

from onnx_net import net

p = argparse.ArgumentParser()
p.add_argument("--catalog", required=True, help="skybias's catalog: the galaxies to label, in order")
p.add_argument("--images", required=True, help="the folder the ids name files in")
p.add_argument("--model", required=True, help="the network's weights (torch.save of onnx_net.net's state)")
p.add_argument("--input", type=int, default=48)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--out", required=True)
a = p.parse_args()
torch.set_num_threads(a.threads)
m = net(a.input)
m.load_state_dict(torch.load(a.model))
m.eval()
ids = [r["id"] for r in csv.DictReader(open(a.catalog))]
t = time.perf_counter()
with open(a.out, "w", newline="") as f, torch.no_grad():
    w = csv.writer(f)
    w.writerow(["id", "p_spiral"])
    for i in range(0, len(ids), 32):
        batch = ids[i:i + 32]
        x = np.stack([np.asarray(Image.open(os.path.join(a.images, g)).convert("RGB").resize((a.input, a.input), Image.BOX),
                                 dtype=np.float32) / 255.0 for g in batch])
        ps = m(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()).squeeze(1).tolist()
        for g, q in zip(batch, ps):
            w.writerow([g, f"{q:.6f}"])
print(json.dumps({"galaxies_per_s": round(len(ids) / (time.perf_counter() - t), 1), "galaxies": len(ids)}))
