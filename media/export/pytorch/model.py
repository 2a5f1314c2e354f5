"""The network of an NNSpec spec as a PyTorch nn.Module, written by `nnspec export --format pytorch`.

    from model import NNSpecNet, load_weights, save_weights, prepare
    net = NNSpecNet()
    load_weights(net, "weights.json")           # NNSpec's weights file (nnspec train --save)
    outputs = net(prepare(raw_inputs))          # raw inputs as `nnspec predict` takes them

Notation as in NNSpec (Nielsen's): layer l = 1..L, w^l_jk from neuron k of layer l-1 to neuron j
of layer l, z^l = w^l a^(l-1) + b^l, a^l = sigma(z^l). nn.Linear keeps its weight as units x inputs,
the same rows j and columns k as NNSpec's weights file, so the file maps onto it as it is.
"""
import json
import os

import numpy as np
import torch
from torch import nn

# >>> generated from the spec
# <<< generated

HERE = os.path.dirname(os.path.abspath(__file__))

# The leaky ReLU's slope for z < 0 (NNSpec's LEAKY_SLOPE).
LEAKY_SLOPE = 0.01

# sigma(z) for each NNSpec activation (softmax over each row: one sample's outputs).
ACTIVATIONS = {
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, LEAKY_SLOPE),
    "softmax": lambda z: torch.softmax(z, dim=-1),
}


class NNSpecNet(nn.Module):
    """The spec's dense layers; forward(x) = a^L for prepared inputs x (N x INPUT_SIZE)."""

    def __init__(self):
        super().__init__()
        self.dense = nn.ModuleList(nn.Linear(inputs, units, bias=bias) for inputs, units, _, bias in LAYERS)
        self.activations = [activation for _, _, activation, _ in LAYERS]

    def forward(self, x, output="a", masks=None):
        """a^L, or z^L with output="z" (train.py forms delta^L = dC/dz^L itself, as NNSpec does).
        masks (training with dropout): {l: M^l}, layer index l from 0, each N x units; the layer's
        output a^l becomes a^l * M^l (inverted dropout: M = 0 or 1/(1 - p)) before the next layer."""
        last = len(self.dense) - 1
        for l, (layer, activation) in enumerate(zip(self.dense, self.activations)):
            z = layer(x)
            if l == last and output == "z":
                return z
            x = ACTIVATIONS[activation](z)
            if masks is not None and l in masks:
                x = x * masks[l]
        return x


def load_weights(net, path):
    """Puts an NNSpec weights file {"format": "nnspec-weights", "version": 1, "layers": [...]} into net."""
    with open(path) as f:
        data = json.load(f)
    if data.get("format") != "nnspec-weights" or data.get("version") != 1:
        raise ValueError(f"{path}: not an NNSpec weights file (format nnspec-weights, version 1)")
    if len(data["layers"]) != len(net.dense):
        raise ValueError(f"{path}: {len(data['layers'])} layers, the network has {len(net.dense)}")
    with torch.no_grad():
        for l, (layer, saved) in enumerate(zip(net.dense, data["layers"])):
            weights = torch.tensor(saved["weights"], dtype=torch.float32)
            if tuple(weights.shape) != tuple(layer.weight.shape):
                raise ValueError(f"{path}: layer {l + 1}: weights {tuple(weights.shape)}, expected {tuple(layer.weight.shape)} (units x inputs)")
            layer.weight.copy_(weights)
            if layer.bias is not None:
                layer.bias.copy_(torch.tensor(saved["biases"], dtype=torch.float32))


def weights_file(net):
    """The NNSpec weights file of net, as a dict (rows j = neurons, columns k = inputs)."""
    layers = []
    for layer in net.dense:
        weights = layer.weight.detach().cpu().to(torch.float32).tolist()
        biases = layer.bias.detach().cpu().to(torch.float32).tolist() if layer.bias is not None else []
        layers.append({"weights": weights, "biases": biases})
    return {"format": "nnspec-weights", "version": 1, "layers": layers}


def save_weights(net, path):
    """Writes net's weights as an NNSpec weights file (nnspec train/predict --weights, Load Weights in VS Code)."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w") as f:
        json.dump(weights_file(net), f)
        f.write("\n")
    os.replace(temporary, path)


# NNSpec's input features of a raw 2-D point (x1, x2) (src/core/features.ts).
FEATURE_FUNCTIONS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: torch.sin(x1),
    "sin(x2)": lambda x1, x2: torch.sin(x2),
}


def prepare(raw):
    """Raw inputs (N x RAW_INPUT_SIZE, as `nnspec predict --input` takes them) as the network sees
    them (N x INPUT_SIZE): the FEATURES of (x1, x2) when there are any, then x <- (x - offset) * scale
    per column with the training part's statistics (NORMALIZE). In float64, rounded to float32 once
    per step, as NNSpec computes it."""
    x = torch.as_tensor(np.asarray(raw, dtype=np.float32)).double()
    if x.shape[-1] != RAW_INPUT_SIZE:
        raise ValueError(f"prepare: {x.shape[-1]} values per input, the network takes {RAW_INPUT_SIZE}")
    if FEATURES:
        x1, x2 = x[..., 0], x[..., 1]
        x = torch.stack([FEATURE_FUNCTIONS[name](x1, x2) for name in FEATURES], dim=-1).float().double()
    if NORMALIZE == "none":
        return x.float()
    statistics = np.load(os.path.join(HERE, "data", "normalizer.npy")).astype(np.float64)  # row 0: offset, row 1: scale
    offset = torch.as_tensor(statistics[0]).to(x.device)
    scale = torch.as_tensor(statistics[1]).to(x.device)
    return ((x - offset) * scale).float()


def predicted_class(outputs):
    """The class NNSpec reports: the first largest output; binary: output > 0.5; None for regression."""
    if TASK == "classification":
        return torch.argmax(outputs, dim=-1)
    if TASK == "binary":
        return (outputs[..., 0] > 0.5).to(torch.int64)
    return None
