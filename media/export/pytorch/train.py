"""Trains the exported NNSpec network exactly as NNSpec does, written by `nnspec export --format pytorch`.

    python3 train.py [--epochs N] [--weights IN.json] [--save OUT.json] [--device cpu|cuda]
    torchrun --nproc_per_node=K train.py ...        # DistributedDataParallel over K processes

Same data (data/*.npy: the training and validation parts as NNSpec prepared them, normalised),
same mini-batches in the same order (NNSpec's seeded generator and shuffle, ported bit for bit),
same arithmetic: NNSpec's costs and its delta^L rule, L2 and L1 on weights only, NNSpec's optimizer
formulas, dropout with NNSpec's masks, the rate eta * d^e in epoch e (from 0), early stopping. Under torchrun each global mini-batch of m samples
is split into K nearly equal parts, one per process; each process scales its gradient by K/m and
DDP averages over the K processes, so every step uses (1/m) sum over the whole mini-batch, as one
process does. Rank 0 prints and saves.
"""
import argparse
import decimal
import math
import os
import sys
import time

import numpy as np
import torch

from model import ACTIVATIONS, DROPOUT, LAYERS, NAME, TASK, NNSpecNet, load_weights, save_weights

# >>> generated from the spec
# <<< generated

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# NNSpec's seeded generator (src/core/random.ts): sfc32 seeded through splitmix32, 32-bit
# unsigned arithmetic masked to 32 bits, so every draw equals NNSpec's.

MASK = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & MASK


class Random:
    def __init__(self, seed):
        s = seed & MASK

        def splitmix():
            nonlocal s
            s = (s + 0x9E3779B9) & MASK
            z = s
            z = imul(z ^ (z >> 16), 0x85EBCA6B)
            z = imul(z ^ (z >> 13), 0xC2B2AE35)
            return (z ^ (z >> 16)) & MASK

        self.a = splitmix()
        self.b = splitmix()
        self.c = splitmix()
        self.d = 1
        for _ in range(12):
            self.next_uint32()

    def next_uint32(self):
        t = (self.a + self.b + self.d) & MASK
        self.d = (self.d + 1) & MASK
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & MASK
        self.c = ((self.c << 21) | (self.c >> 11)) & MASK
        self.c = (self.c + t) & MASK
        return t

    def next(self):
        """Uniform in [0, 1)."""
        return self.next_uint32() / 4294967296

    def int(self, n):
        """Uniform integer in [0, n)."""
        return math.floor(self.next() * n)

    def shuffle(self, items):
        """Fisher-Yates in place, as NNSpec's Random.shuffle."""
        for i in range(len(items) - 1, 0, -1):
            j = self.int(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    @staticmethod
    def derive(seed, purpose):
        """A generator for a named purpose ('shuffle', ...), as Random.derive."""
        h = seed & MASK
        for ch in purpose:
            h = imul(h ^ ord(ch), 0x01000193)
        return Random(h)


# ---------------------------------------------------------------------------
# Costs (src/core/engine/costs.ts). With n samples:
#   mse  C = (1/n) sum_x 1/2 ||y - a||^2                        dC_x/da_j = a_j - y_j
#   bce  C = -(1/n) sum_x sum_j [y ln a + (1 - y) ln(1 - a)]    dC_x/da_j = (a_j - y_j) / (a_j (1 - a_j))
#   cce  C = -(1/n) sum_x sum_j y_j ln a_j                      dC_x/da_j = -y_j / a_j
# a clamped to [eps, 1 - eps] for the logarithms and the gradients, eps = 1e-7. Computed in float64
# from the float32 outputs, as NNSpec does, and rounded to float32 where NNSpec stores them.

LOG_EPSILON = 1e-7


def clamp01(a):
    return a.clamp(LOG_EPSILON, 1 - LOG_EPSILON)


COSTS = {
    # name: (C_x per sample, summed over outputs; dC_x/da)
    "mse": (lambda a, y: 0.5 * ((a - y) ** 2).sum(dim=1), lambda a, y: a - y),
    "bce": (
        lambda a, y: -(y * torch.log(clamp01(a)) + (1 - y) * torch.log(1 - clamp01(a))).sum(dim=1),
        lambda a, y: (clamp01(a) - y) / (clamp01(a) * (1 - clamp01(a))),
    ),
    "cce": (
        lambda a, y: -(torch.where(y != 0, y * torch.log(clamp01(a)), torch.zeros_like(a))).sum(dim=1),
        lambda a, y: -y / clamp01(a),
    ),
}

# sigma'(z) given z and a = sigma(z), for the chain rule delta^L = grad_a C (.) sigma'(z^L).
DERIVATIVES = {
    "identity": lambda z, a: torch.ones_like(a),
    "sigmoid": lambda z, a: a * (1 - a),
    "tanh": lambda z, a: 1 - a * a,
    "relu": lambda z, a: (z > 0).to(a.dtype),
    "leaky_relu": lambda z, a: torch.where(z > 0, torch.ones_like(a), torch.full_like(a, 0.01)),
}


def output_delta(loss, activation, z, a, y):
    """delta^L = dC_x/dz^L per sample (NNSpec's outputDelta): a - y for sigmoid + bce; a * sum(y) - y
    for softmax + cce; otherwise grad_a C, then sigma' (softmax: its Jacobian-vector product)."""
    z, a, y = z.double(), a.double(), y.double()
    if loss == "bce" and activation == "sigmoid":
        return (a - y).float()
    if loss == "cce" and activation == "softmax":
        return (a * y.sum(dim=1, keepdim=True) - y).float()
    d = COSTS[loss][1](a, y).float().double()
    if activation == "softmax":
        # delta_j = a_j (D_j - sum_i D_i a_i)
        return (a * (d - (d * a).sum(dim=1, keepdim=True))).float()
    return (d * DERIVATIVES[activation](z, a)).float()


# ---------------------------------------------------------------------------
# Optimizers (src/core/engine/optimizers.ts): one class per NNSpec optimizer, the update of one
# parameter p (a layer's weights or biases) with g = dC/dp, regularisers already in it, at the
# epoch's rate eta = eta_0 * d^e; t counts the updates since the state began (1, 2, ...). As NNSpec's
# JavaScript loops do, each rule is computed in float64 from the float32 values and rounded to
# float32 where NNSpec stores a value (the state, then the parameter).


class SGD:
    """v <- mu v - eta g;  w <- w + v   (nesterov: w <- w + mu v - eta g;  mu = 0: w <- w - eta g)."""

    def __init__(self, momentum=0.0, nesterov=False):
        self.momentum, self.nesterov = momentum, nesterov
        self.state = {}

    def update(self, key, p, g, rate, t):
        w, g = p.double(), g.double()
        if self.momentum == 0:
            p.copy_((w - rate * g).float())
            return
        v = self.state.setdefault(key, torch.zeros_like(p))
        velocity = (self.momentum * v.double() - rate * g).float()
        v.copy_(velocity)
        if self.nesterov:
            p.copy_((w + (self.momentum * velocity.double() - rate * g)).float())
        else:
            p.copy_((w + velocity.double()).float())


class Adam:
    """m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  w <- w - eta/(1 - b1^t) * m / (sqrt(v)/sqrt(1 - b2^t) + eps)."""

    def __init__(self, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.state = {}

    def update(self, key, p, g, rate, t):
        m, v = self.state.setdefault(key, (torch.zeros_like(p), torch.zeros_like(p)))
        g = g.double()
        step = rate / (1 - self.beta1**t)
        correction2 = math.sqrt(1 - self.beta2**t)
        m.copy_((self.beta1 * m.double() + (1 - self.beta1) * g).float())
        v.copy_((self.beta2 * v.double() + (1 - self.beta2) * g * g).float())
        p.copy_((p.double() - (step * m.double()) / (torch.sqrt(v.double()) / correction2 + self.epsilon)).float())


class RMSprop:
    """v <- rho v + (1 - rho) g^2;  w <- w - eta g / (sqrt(v) + eps)."""

    def __init__(self, rho=0.99, epsilon=1e-8):
        self.rho, self.epsilon = rho, epsilon
        self.state = {}

    def update(self, key, p, g, rate, t):
        v = self.state.setdefault(key, torch.zeros_like(p))
        g = g.double()
        v.copy_((self.rho * v.double() + (1 - self.rho) * g * g).float())
        p.copy_((p.double() - (rate * g) / (torch.sqrt(v.double()) + self.epsilon)).float())


class Adagrad:
    """G <- G + g^2;  w <- w - eta g / (sqrt(G) + eps)."""

    def __init__(self, epsilon=1e-10):
        self.epsilon = epsilon
        self.state = {}

    def update(self, key, p, g, rate, t):
        G = self.state.setdefault(key, torch.zeros_like(p))
        g = g.double()
        G.copy_((G.double() + g * g).float())
        p.copy_((p.double() - (rate * g) / (torch.sqrt(G.double()) + self.epsilon)).float())


OPTIMIZERS = {
    "sgd": SGD,
    "adam": Adam,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}


def regularised(p, grad, l2, l1):
    """g = dC/dw + l2 w + l1 sign(w) for weights (NNSpec's regularise; sign(0) = 0), rounded to float32."""
    if l2 == 0 and l1 == 0:
        return grad
    w = p.double()
    return (grad.double() + (l2 * w + l1 * torch.sign(w))).float()


# ---------------------------------------------------------------------------
# Early stopping (src/core/engine/stopping.ts): Keras' EarlyStopping rule on the value monitored
# after every epoch e (from 0); restore=best puts back the best epoch's weights when patience stops.


def js_number(value):
    """String(Number(value.toPrecision(4))), as NNSpec formats the numbers of its stop messages."""
    text = repr(float(f"{value:.4g}"))
    text = text[:-2] if text.endswith(".0") else text
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent):+d}"
    return text


class EarlyStopping:
    def __init__(self, spec):
        self.monitor, self.patience, self.goal = spec["monitor"], spec["patience"], spec["goal"]
        self.min_delta, self.restore = spec["min_delta"], spec["restore"]
        self.minimise = self.monitor in ("loss", "validation_loss")
        self.best, self.best_epoch, self.wait = (math.inf if self.minimise else -math.inf), -1, 0
        self.message, self.restored_epoch = None, None

    def observe(self, epoch, value):
        """'improved', 'continue' or 'stop' (then self.message says why)."""
        reached = self.goal is not None and (value <= self.goal if self.minimise else value >= self.goal)
        self.wait += 1
        improved = value - self.min_delta < self.best if self.minimise else value + self.min_delta > self.best
        if improved:
            self.best, self.best_epoch, self.wait = value, epoch, 0
        if reached:
            self.message = f"stopped after epoch {epoch + 1}: {self.monitor} {js_number(value)} reached the goal {js_number(self.goal)}"
            return "stop"
        if improved:
            return "improved"
        if self.patience is not None and self.wait >= self.patience and epoch > 0:
            restore = self.restore == "best" and self.best_epoch >= 0
            self.restored_epoch = self.best_epoch if restore else None
            self.message = (
                f"stopped early after epoch {epoch + 1}: {self.monitor} has not improved by more than {js_number(self.min_delta)} "
                f"for {self.wait} epoch{'' if self.wait == 1 else 's'} (best {js_number(self.best)} after epoch {self.best_epoch + 1}"
                + (", whose weights were restored)" if restore else ")")
            )
            return "stop"
        return "continue"


# ---------------------------------------------------------------------------
# NNSpec's number formats (src/cli/format.ts), so the lines read like `nnspec train`'s.


def format_loss(value):
    """4 significant digits, exponent form below 1e-4 and from 1e6 (JavaScript's toPrecision/toExponential)."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    if abs(value) < 1e-4 or abs(value) >= 1e6:
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa}e{int(exponent):+d}"
    exponent = int(f"{value:.3e}".split("e")[1])
    if exponent >= 4:
        mantissa, _ = f"{value:.3e}".split("e")
        return f"{mantissa}e+{exponent}"
    return f"{value:.{max(0, 3 - exponent)}f}"


def format_percent(fraction):
    """As JavaScript's (fraction * 100).toFixed(1): halves of the exact value round up."""
    return f"{decimal.Decimal(fraction * 100).quantize(decimal.Decimal('0.1'), decimal.ROUND_HALF_UP)}%"


def format_count(value):
    return f"{round(value):,}"


def format_duration(seconds):
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    total = round(seconds)
    h, m, s = total // 3600, (total % 3600) // 60, total % 60
    return (f"{h}:{m:02d}" if h else f"{m}") + f":{s:02d}"


# ---------------------------------------------------------------------------
# Training.


def load_part(name):
    inputs = os.path.join(HERE, "data", f"{name}_inputs.npy")
    if not os.path.exists(inputs):
        return None
    return np.load(inputs), np.load(os.path.join(HERE, "data", f"{name}_targets.npy"))


def regularisation_term(net, l2, l1):
    """(l2/2) sum w^2 + l1 sum |w| over the weights (not the biases), as NNSpec adds to the loss."""
    term = 0.0
    if l2 != 0:
        term += l2 / 2 * sum(float((layer.weight.double() ** 2).sum()) for layer in net.dense)
    if l1 != 0:
        term += l1 * sum(float(layer.weight.double().abs().sum()) for layer in net.dense)
    return term


def is_correct(a, y):
    """NNSpec's accuracy: binary, every output on the target's side of 0.5; classes, the first largest agrees."""
    if TASK == "binary":
        return ((a > 0.5) == (y > 0.5)).all(dim=1)
    return a.argmax(dim=1) == y.argmax(dim=1)


def dropout_masks(random, m, world, rank, device):
    """NNSpec's inverted-dropout masks for one step over the global mini-batch of m rows: for each
    layer with dropout p, in order, m x units values drawn row-major from the 'dropout' generator,
    M = 0 with probability p, else 1/(1 - p); this process keeps the rows of its share."""
    masks = {}
    for l, (_, units, _, _) in enumerate(LAYERS):
        p = DROPOUT[l]
        if p == 0:
            continue
        keep = 1 / (1 - p)
        threshold = p * 4294967296  # next() < p without its division: next() = u / 2^32
        values = [0.0 if random.next_uint32() < threshold else keep for _ in range(m * units)]
        mask = torch.tensor(values, dtype=torch.float64).float().reshape(m, units)
        masks[l] = torch.tensor_split(mask, world)[rank].to(device)
    return masks


@torch.no_grad()
def evaluate(net, part, l2, l1=0.0):
    """(mean cost + (lambda/2) sum w^2, accuracy or None, count) over a whole part."""
    X, Y = part
    cost_sum, correct = 0.0, 0
    for start in range(0, X.shape[0], 4096):
        a = net(X[start : start + 4096])
        y = Y[start : start + 4096]
        cost_sum += float(COSTS[RECIPE["loss"]][0](a.double(), y.double()).sum())
        if TASK != "regression":
            correct += int(is_correct(a, y).sum())
    count = X.shape[0]
    loss = cost_sum / count + regularisation_term(net, l2, l1)
    return loss, (correct / count if TASK != "regression" else None), count


def metrics_text(train, validation):
    text = f"loss {format_loss(train[0])}"
    if train[1] is not None:
        text += f"  accuracy {format_percent(train[1])}"
    if validation is not None:
        text += f"  validation loss {format_loss(validation[0])}"
        if validation[1] is not None:
            text += f"  accuracy {format_percent(validation[1])}"
    return text


def evaluation_text(evaluation):
    text = f"loss {format_loss(evaluation[0])}"
    if evaluation[1] is not None:
        text += f"  accuracy {format_percent(evaluation[1])}"
    return text + f"  ({format_count(evaluation[2])} samples)"


def main():
    parser = argparse.ArgumentParser(description=f"Train the NNSpec network {NAME} as NNSpec does.")
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"], help="epochs to train (default: the spec's)")
    parser.add_argument("--weights", default=os.path.join(HERE, "weights.json"), help="start weights (default: weights.json)")
    parser.add_argument("--save", default="trained.json", help="where to save the trained weights (default: trained.json)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error("--epochs wants a whole number >= 1")

    # One process, or one of K under torchrun (which sets WORLD_SIZE, RANK and LOCAL_RANK).
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    distributed = "WORLD_SIZE" in os.environ
    if args.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("train.py: --device cuda, but PyTorch sees no CUDA device (use --device cpu)")
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    if distributed:
        torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo")

    net = NNSpecNet()
    load_weights(net, args.weights)
    net.to(device)
    model = net
    if distributed:
        model = torch.nn.parallel.DistributedDataParallel(net, device_ids=[device.index] if device.type == "cuda" else None)

    train = tuple(torch.as_tensor(array).to(device) for array in load_part("train"))
    held_out = load_part("validation")
    validation = tuple(torch.as_tensor(array).to(device) for array in held_out) if held_out else None
    count = train[0].shape[0]
    batch = count if RECIPE["batch"] == "full" else max(1, min(int(RECIPE["batch"]), count))
    steps = math.ceil(count / batch)
    loss_name, output_activation = RECIPE["loss"], LAYERS[-1][2]
    l2, l1 = RECIPE["l2"], RECIPE["l1"]
    optimizer_spec = dict(RECIPE["optimizer"])
    kind, rate0, decay = optimizer_spec.pop("kind"), optimizer_spec.pop("rate"), optimizer_spec.pop("decay")
    optimizer = OPTIMIZERS[kind](**optimizer_spec)
    parameters = [(f"{l}.weight", layer.weight, True) for l, layer in enumerate(net.dense)]
    parameters += [(f"{l}.bias", layer.bias, False) for l, layer in enumerate(net.dense) if layer.bias is not None]
    stopping = EarlyStopping(RECIPE["stop"]) if RECIPE["stop"] else None

    if rank == 0:
        architecture = "-".join(str(n) for n in [LAYERS[0][0]] + [units for _, units, _, _ in LAYERS])
        activations = "/".join(activation for _, _, activation, _ in LAYERS)
        count_parameters = sum(p.numel() for p in net.parameters())
        where = f"{device.type}" + (f", {world} processes (DistributedDataParallel)" if distributed else "")
        print(f"training {NAME} ({architecture} {activations}, {count_parameters:,} parameters, loss {loss_name}, optimizer {kind}) on {where}")
        print(
            f"  {count} training samples, {validation[0].shape[0] if validation else 0} validation; "
            f"batch {batch}, {steps} step{'s' if steps != 1 else ''} per epoch, {args.epochs} epoch{'s' if args.epochs != 1 else ''}, "
            f"\u03b7 = {rate0:g}",
            flush=True,
        )

    shuffle = Random.derive(RECIPE["seed"], "shuffle")
    dropout_random = Random.derive(RECIPE["seed"], "dropout")
    order = list(range(count))
    every = math.ceil(args.epochs / 100)
    width = len(str(args.epochs))
    started = time.time()
    evaluation_seconds = 0.0
    updates = 0
    epochs_done = 0
    best = None
    for epoch in range(args.epochs):
        rate = rate0 * decay**epoch
        shuffle.shuffle(order)
        epoch_order = torch.as_tensor(order, dtype=torch.int64)
        for step in range(steps):
            start = step * batch
            m = min(batch, count - start)
            # this process's share of the global mini-batch order[start : start + m]
            part = torch.tensor_split(epoch_order[start : start + m], world)[rank].to(device)
            x, y = train[0][part], train[1][part]
            masks = dropout_masks(dropout_random, m, world, rank, device) if any(DROPOUT) else None
            z = model(x, output="z", masks=masks)
            a = ACTIVATIONS[output_activation](z)
            delta = output_delta(loss_name, output_activation, z.detach(), a.detach(), y)
            for _, p, _ in parameters:
                p.grad = None
            # dC/dz^L of (K/m) * sum over this share; DDP averages the K shares: (1/m) sum over all m.
            z.backward(delta * (world / m))
            updates += 1
            with torch.no_grad():
                for key, p, is_weight in parameters:
                    g = regularised(p, p.grad, l2, l1) if is_weight else p.grad
                    optimizer.update(key, p, g, rate, updates)
        epochs_done = epoch + 1
        stop = False
        if stopping:
            # every process evaluates the same weights on the same data, so all decide alike
            train_metrics, validation_metrics = evaluate(net, train, l2, l1), evaluate(net, validation, l2, l1) if validation else None
            value = {
                "loss": train_metrics[0],
                "accuracy": train_metrics[1],
                "validation_loss": validation_metrics[0] if validation_metrics else None,
                "validation_accuracy": validation_metrics[1] if validation_metrics else None,
            }[stopping.monitor]
            verdict = stopping.observe(epoch, value) if value is not None else "continue"
            if verdict == "improved" and stopping.restore == "best":
                best = [p.detach().clone() for _, p, _ in parameters]
            if verdict == "stop":
                stop = True
                if stopping.restored_epoch is not None and best is not None:
                    with torch.no_grad():
                        for (_, p, _), kept in zip(parameters, best):
                            p.copy_(kept)
        # the epoch's line, as nnspec train prints it: after a stop's restore, of the weights kept
        if rank == 0 and ((epoch + 1) % every == 0 or epoch + 1 == args.epochs or stop):
            evaluated = time.time()
            metrics = evaluate(net, train, l2, l1), evaluate(net, validation, l2, l1) if validation else None
            evaluation_seconds += time.time() - evaluated
            seconds = time.time() - started - evaluation_seconds
            speed = (epoch + 1) * count / seconds if seconds > 0 else 0
            print(f"epoch {str(epoch + 1).rjust(width)}/{args.epochs}  {metrics_text(*metrics)}  {format_count(speed)} samples/s", flush=True)
        if stop:
            if rank == 0:
                print(stopping.message, flush=True)
            break

    if rank == 0:
        seconds = time.time() - started
        speed = epochs_done * count / max(seconds - evaluation_seconds, 1e-9)
        print(f"done: {epochs_done} epoch{'s' if epochs_done != 1 else ''}, {format_count(epochs_done * steps)} steps in {format_duration(seconds)} ({format_count(speed)} samples/s)")
        print(f"  training:   {evaluation_text(evaluate(net, train, l2, l1))}")
        if validation:
            print(f"  validation: {evaluation_text(evaluate(net, validation, l2, l1))}")
        save_weights(net, args.save)
        print(f"saved the weights to {args.save}", flush=True)
    if distributed:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
