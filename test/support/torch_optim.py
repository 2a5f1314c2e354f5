"""Trains the networks of test/unit/optimizers.test.ts with torch.optim, as the oracle.

Reads a JSON list of cases on stdin; writes, for each, the weights and biases after the epochs.
Every step is on the whole training set (batch full); the cost is NNSpec's (costs.ts):
  mse  C = mean_x 1/2 sum_j (a_j - y_j)^2        cce  C = -mean_x sum_j y_j ln a_j
plus l1 * sum |w| over weights; l2 goes to the weights' param group as weight_decay (PyTorch adds
weight_decay * w to their gradient, as NNSpec does, and never to the biases); decay d is
ExponentialLR(gamma=d), stepped after each epoch.
"""
import json
import sys

import torch

ACTIVATIONS = {
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "softmax": lambda z: torch.softmax(z, dim=1),
}


def optimizer_for(case, groups):
    o = case["optimizer"]
    kind = o["kind"]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=o["rate"], momentum=o["momentum"], nesterov=o["nesterov"])
    if kind == "adam":
        return torch.optim.Adam(groups, lr=o["rate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
    if kind == "rmsprop":
        return torch.optim.RMSprop(groups, lr=o["rate"], alpha=o["rho"], eps=o["epsilon"])
    if kind == "adagrad":
        return torch.optim.Adagrad(groups, lr=o["rate"], eps=o["epsilon"])
    raise ValueError(kind)


def train(case):
    torch.set_default_dtype(torch.float32)
    x = torch.tensor(case["x"], dtype=torch.float32)
    y = torch.tensor(case["y"], dtype=torch.float32)
    layers = []
    for layer in case["layers"]:
        w = torch.tensor(layer["weights"], dtype=torch.float32, requires_grad=True)
        b = torch.tensor(layer["biases"], dtype=torch.float32, requires_grad=layer["bias"])
        layers.append((w, b, layer["activation"], layer["bias"]))
    weights = [w for (w, _, _, _) in layers]
    biases = [b for (_, b, _, bias) in layers if bias]
    groups = [{"params": weights, "weight_decay": case["l2"]}]
    if biases:
        groups.append({"params": biases, "weight_decay": 0.0})
    opt = optimizer_for(case, groups)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=case["optimizer"]["decay"])
    for _ in range(case["epochs"]):
        opt.zero_grad()
        a = x
        for (w, b, act, _) in layers:
            a = ACTIVATIONS[act](a @ w.T + b)
        if case["loss"] == "mse":
            cost = (0.5 * ((a - y) ** 2).sum(dim=1)).mean()
        elif case["loss"] == "cce":
            cost = -(y * torch.log(a)).sum(dim=1).mean()
        else:
            raise ValueError(case["loss"])
        if case["l1"] != 0:
            cost = cost + case["l1"] * sum(w.abs().sum() for w in weights)
        cost.backward()
        opt.step()
        scheduler.step()
    return {"layers": [{"weights": w.detach().tolist(), "biases": b.detach().tolist()} for (w, b, _, _) in layers]}


def main():
    cases = json.load(sys.stdin)
    json.dump([train(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
