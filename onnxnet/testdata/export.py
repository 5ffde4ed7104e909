"""Exports the networks onnxnet's tests compare with PyTorch.

Usage: python3 export.py OUTDIR

Writes, for each network NAME, NAME.onnx (torch.onnx.export, opset 13,
a dynamic batch axis), NAME.in (uint8 images, N x H x W x 3, raw) and
NAME.out (float32 p(spiral) per image, raw little-endian), where PyTorch
computed p(spiral) from the images with the normalisation in NAME.yaml.
Weights and batch-norm statistics are drawn from a fixed seed; the
networks are untrained, which tests the arithmetic, not a classifier.
"""
import sys

import numpy as np
import torch
from torch import nn

torch.manual_seed(20261203)
torch.set_num_threads(1)
out = sys.argv[1]


class Paper(nn.Module):
    """The paper's network (skybias's lenet5x): five 3x3 convolutions,
    max-pools after the first four, dense 128, one sigmoid output."""

    def __init__(self, size):
        super().__init__()
        widths = [3, 32, 32, 64, 64, 128]
        layers = []
        for i in range(5):
            layers += [nn.Conv2d(widths[i], widths[i + 1], 3, padding=1), nn.ReLU()]
            if i < 4:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        side = size // 16
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(128 * side * side, 128), nn.ReLU(),
                                  nn.Dropout(0.5), nn.Linear(128, 1), nn.Sigmoid())

    def forward(self, x):
        return self.head(self.features(x))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.dw = nn.Conv2d(c, c, 3, padding=2, dilation=2, groups=c, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.bn3 = nn.BatchNorm2d(c)  # after the Add: no exporter can fold it into a convolution

    def forward(self, x):
        y = torch.relu(self.bn1(self.a(x)))
        y = self.bn2(self.dw(y))
        return torch.relu(self.bn3(x + y))  # the residual Add


class Residual(nn.Module):
    """Batch normalisation, a residual Add, a depthwise dilated
    convolution, strides, average pooling with ceil_mode, global pooling,
    a view() (Shape/Gather/Concat/Reshape in ONNX) and two softmax units."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 5, stride=2, padding=2), nn.BatchNorm2d(16), nn.LeakyReLU(0.1))
        self.block1 = Block(16)
        self.pool = nn.AvgPool2d(3, stride=2, ceil_mode=True)
        self.wide = nn.Sequential(nn.Conv2d(16, 32, 1), nn.BatchNorm2d(32), nn.ReLU())
        self.block2 = Block(32)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 2)

    def forward(self, x):
        x = self.pool(self.block1(self.stem(x)))
        x = self.block2(self.wide(x))
        x = self.gap(x)
        x = x.view(x.size(0), -1)
        return torch.softmax(self.fc(x), dim=1)


def randomise_bn(m):
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            n = mod.num_features
            mod.running_mean.copy_(torch.randn(n) * 0.2)
            mod.running_var.copy_(torch.rand(n) + 0.5)
            mod.weight.data.copy_(torch.rand(n) + 0.5)
            mod.bias.data.copy_(torch.randn(n) * 0.1)


nets = {
    "paper": (Paper(120), 120, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], 0),
    "residual": (Residual(), 64, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1),
}
rng = np.random.default_rng(7)
for name, (net, size, mean, std, spiral) in nets.items():
    randomise_bn(net)
    net.eval()
    # Images unlike one another (their own brightness and colour), so that
    # untrained networks give different answers for them.
    base = rng.uniform(20, 235, size=(6, 1, 1, 3))
    imgs = np.clip(base + rng.normal(0, 40, size=(6, size, size, 3)), 0, 255).astype(np.uint8)
    x = torch.from_numpy(imgs.astype(np.float32) / 255.0).permute(0, 3, 1, 2)
    x = (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    with torch.no_grad():
        # Spread the answers over (0, 1), so that an error in a logit shows:
        # the last layer's logits get mean 0 and SD 2 over these images.
        last = net.head[4] if name == "paper" else net.fc
        z = []
        h = last.register_forward_hook(lambda mod, i, o: z.append(o))
        net(x)
        h.remove()
        k = 2 / z[0].std().clamp_min(1e-12)
        last.weight.mul_(k)
        last.bias.mul_(k).sub_(z[0].mean(0) * k)
        y = net(x)[:, spiral].numpy().astype("<f4")
    torch.onnx.export(net, x[:1], f"{out}/{name}.onnx", opset_version=13, input_names=["image"],
                      output_names=["p"], dynamic_axes={"image": {0: "n"}, "p": {0: "n"}})
    imgs.tofile(f"{out}/{name}.in")
    y.tofile(f"{out}/{name}.out")
    with open(f"{out}/{name}.yaml", "w") as f:
        f.write(f"input: {size}\nmean: {mean}\nstd: {std}\noutput: {{spiral: {spiral}}}\n")
print("exported", ", ".join(nets))
