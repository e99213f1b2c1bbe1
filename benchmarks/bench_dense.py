"""Seconds per epoch of the seed article's model, backproplab against baselines run side by side.

Model: Dense(64, relu) -> Dense(10, softmax), SGD(0.01), categorical cross-entropy with accuracy,
float32, 60000 x 784 synthetic inputs, batch 32 and 128, shuffled every epoch. BLAS is pinned to
one thread (threadpoolctl) and torch to one thread, so the machine's other load matters less;
rounds are interleaved (one epoch of each contender per round) and the median is reported.

Baselines:
  flat      the same maths as one flat NumPy loop (forward, Keras' clipped loss, accuracy,
            fused softmax/cross-entropy gradient, backward without the first layer's input
            gradient, SGD update)
  floor     only the five matrix products a step needs
  torch     a PyTorch eager training loop (where torch is installed)
  keras     Keras 3 fit(verbose=0) on the torch backend (where keras is installed)

Targets (issue 2): backproplab <= 1.25 x flat, <= 0.7 x torch, <= 3 x floor at batch 32.
Run:  python benchmarks/bench_dense.py [--rounds 5] [--samples 60000] [--no-keras]
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    return x, y


def init_weights(seed=0):
    from backproplab.initializers import glorot_uniform

    rng = np.random.default_rng(seed)
    return [glorot_uniform((784, 64), rng, "float32"), np.zeros(64, np.float32),
            glorot_uniform((64, 10), rng, "float32"), np.zeros(10, np.float32)]


# ---------------------------------------------------------------------------- contenders
def backproplab_epoch(x, y, batch, weights):
    from backproplab import SGD, Dense, Input, Sequential

    model = Sequential([Input((784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=0)
    model.set_weights(weights)
    model.compile(optimizer=SGD(learning_rate=0.01), loss="categorical_crossentropy", metrics=["accuracy"])

    def run():
        t = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=batch, verbose=0, shuffle=True)
        return time.perf_counter() - t
    return run


def flat_epoch(x, y, batch, weights):
    w1, b1, w2, b2 = [w.copy() for w in weights]
    rng = np.random.default_rng(0)
    lr, eps = 0.01, 1e-7

    def run():
        nonlocal w1, b1, w2, b2
        t = time.perf_counter()
        n = len(x)
        order = rng.permutation(n)
        total_loss = total_acc = 0.0
        for lo in range(0, n, batch):
            idx = order[lo:lo + batch]
            xb, yb = x[idx], y[idx]
            z1 = xb @ w1
            z1 += b1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ w2
            z2 += b2
            e = np.exp(z2 - z2.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            q = np.clip(p / p.sum(axis=1, keepdims=True), eps, 1 - eps)
            loss = float(np.mean(-np.sum(yb * np.log(q), axis=1)))
            total_loss += loss * len(xb)
            total_acc += float(np.sum(p.argmax(1) == yb.argmax(1)))
            dz2 = (p - yb) / len(xb)
            dw2 = a1.T @ dz2
            db2 = dz2.sum(0)
            dz1 = (dz2 @ w2.T) * (z1 > 0)
            dw1 = xb.T @ dz1
            db1 = dz1.sum(0)
            w1 -= lr * dw1
            b1 -= lr * db1
            w2 -= lr * dw2
            b2 -= lr * db2
        return time.perf_counter() - t
    return run


def floor_epoch(x, y, batch, weights):
    w1, _, w2, _ = weights
    a1 = np.empty((batch, 64), np.float32)

    def run():
        t = time.perf_counter()
        for lo in range(0, len(x), batch):
            xb = x[lo:lo + batch]
            h = xb @ w1                      # 1 forward, layer 1
            p = h @ w2                       # 2 forward, layer 2
            _ = h.T @ p                      # 3 dW2
            d = p @ w2.T                     # 4 dA1
            _ = xb.T @ d                     # 5 dW1
        return time.perf_counter() - t
    return run


def torch_epoch(x, y, batch, weights):
    import torch

    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(weights[0].T.copy()))
        model[0].bias.zero_()
        model[2].weight.copy_(torch.from_numpy(weights[2].T.copy()))
        model[2].bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.argmax(1))
    gen = torch.Generator().manual_seed(0)

    def run():
        t = time.perf_counter()
        order = torch.randperm(len(xt), generator=gen)
        total_loss = total_acc = 0.0
        for lo in range(0, len(xt), batch):
            idx = order[lo:lo + batch]
            xb, yb = xt[idx], yt[idx]
            logits = model(xb)
            loss = torch.nn.functional.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(xb)
            total_acc += (logits.argmax(1) == yb).sum().item()
        return time.perf_counter() - t
    return run


def keras_epoch(x, y, batch, weights):
    import keras

    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])

    def run():
        t = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=batch, verbose=0, shuffle=True)
        return time.perf_counter() - t
    return run


def import_time():
    import subprocess

    code = ("import time, sys; t = time.perf_counter(); import backproplab; "
            "print(time.perf_counter() - t, 'matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
            for _ in range(5)]
    return statistics.median(float(r[0]) for r in runs), runs[0][1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()

    from threadpoolctl import threadpool_limits

    x, y = make_data(args.samples)
    weights = init_weights()
    contenders = {"backproplab": backproplab_epoch, "flat": flat_epoch, "floor": floor_epoch}
    if not args.no_torch:
        try:
            import torch  # noqa: F401
            contenders["torch"] = torch_epoch
        except ImportError:
            print("torch not installed: skipping the PyTorch baseline")
    if not args.no_keras:
        try:
            import keras  # noqa: F401
            contenders["keras"] = keras_epoch
        except ImportError:
            print("keras not installed: skipping the Keras baseline")

    with threadpool_limits(limits=1):
        print(f"BLAS pinned to 1 thread; {args.samples} samples x 784 features, float32; "
              f"median of {args.rounds} interleaved epochs\n")
        results = {}
        for batch in (32, 128):
            runners = {name: make(x, y, batch, weights) for name, make in contenders.items()}
            for run in runners.values():  # warm-up epoch each (caches, allocator, keras tracing)
                run()
            times = {name: [] for name in runners}
            for _ in range(args.rounds):
                for name, run in runners.items():
                    times[name].append(run())
            results[batch] = {name: statistics.median(ts) for name, ts in times.items()}

    names = list(contenders)
    print(f"{'seconds/epoch':<14}" + "".join(f"{n:>13}" for n in names))
    for batch, res in results.items():
        print(f"{'batch ' + str(batch):<14}" + "".join(f"{res[n]:>13.3f}" for n in names))
    print("\nratios (backproplab / baseline; target in brackets)")
    targets = {"flat": 1.25, "floor": 3.0, "torch": 0.7}
    for batch, res in results.items():
        parts = []
        for base in ("flat", "floor", "torch", "keras"):
            if base in res:
                ratio = res["backproplab"] / res[base]
                tgt = targets.get(base) if (base != "floor" or batch == 32) else None
                mark = "" if tgt is None else (f" [<= {tgt}: {'met' if ratio <= tgt else 'MISSED'}]")
                parts.append(f"vs {base} {ratio:.2f}{mark}")
        print(f"  batch {batch:<4} " + "; ".join(parts))
    t, heavy = import_time()
    print(f"\nimport backproplab: {t:.3f} s (target < 0.15 s); matplotlib imported: {heavy[0]}, "
          f"ipywidgets imported: {heavy[1]}")


if __name__ == "__main__":
    main()
