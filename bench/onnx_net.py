"""The paper's network (skybias's lenet5x, ending in a sigmoid), as
bench/onnx_torch.py exports it and bench/annotate_torch.py runs it."""
from torch import nn


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
