"""One training epoch of a small CNN and of an LSTM: backproplab against a PyTorch eager loop.

    python benchmarks/bench_cnn_rnn.py            # all three cases, 5 interleaved repeats
    python benchmarks/bench_cnn_rnn.py --repeats 9 --cases cnn28 lstm

Cases (float32, batch 32, SGD learning rate 0.01, random data of the stated shapes):

    cnn8   1797 images  8×8×1   Conv2D(16, 3×3, relu) → MaxPooling2D(2×2) → Flatten → Dense(10, softmax)
    cnn28  6000 images 28×28×1  the same network
    lstm   2048 sequences of 50 steps × 1 feature, LSTM(32) → Dense(1, sigmoid), binary cross-entropy

backproplab trains through ``Sequential.fit(..., shuffle=False, verbose=0)``, the learner's path;
PyTorch runs the usual eager loop (zero_grad, forward, loss, backward, step) over the same
batches, with its data already in its own layout (NCHW). Every BLAS library is pinned to one
thread (threadpoolctl) and so is torch: on a shared machine extra threads only add noise.
Epochs of the two libraries alternate so that both see the same load, and the table reports
the median and the best of the repeats with their ratios; quote the ratios, not the seconds.
Target: ratio ≤ 2 (judged on the medians).
"""
import argparse
import os
import statistics
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # the environment variables above already ask for one thread
    threadpool_limits = None

from backproplab.layers import LSTM, Conv2D, Dense, Flatten, MaxPooling2D  # noqa: E402
from backproplab.model import Sequential  # noqa: E402
from backproplab.optimizers import SGD  # noqa: E402

BATCH = 32
LEARNING_RATE = 0.01


# ------------------------------------------------------------------ the two implementations

def cnn_data(n, side, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, side, side, 1), dtype=np.float32)
    labels = rng.integers(0, 10, size=n)
    return x, labels


def backproplab_cnn(x, labels):
    side = x.shape[1]
    model = Sequential([Conv2D(16, 3, activation="relu", input_shape=(side, side, 1)), MaxPooling2D(), Flatten(),
                        Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer=SGD(learning_rate=LEARNING_RATE), loss="categorical_crossentropy")
    y = np.eye(10, dtype=np.float32)[labels]
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)


def torch_cnn(x, labels):
    import torch

    side = x.shape[1]
    pooled = (side - 2) // 2
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                torch.nn.Linear(16 * pooled * pooled, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(labels)
    return lambda: _torch_epoch(model, optimizer, torch.nn.functional.cross_entropy, xt, yt)


def sequence_data(n, steps, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, 1)).astype(np.float32)
    y = (x[:, :10, 0].sum(axis=1) > 0).astype(np.float32)[:, None]   # depends on the early steps
    return x, y


def backproplab_lstm(x, y):
    model = Sequential([LSTM(32, input_shape=x.shape[1:]), Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=SGD(learning_rate=LEARNING_RATE), loss="binary_crossentropy")
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)


def torch_lstm(x, y):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(x.shape[2], 32, batch_first=True)
            self.dense = torch.nn.Linear(32, 1)

        def forward(self, inputs):
            out, _ = self.lstm(inputs)
            return self.dense(out[:, -1])

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    return lambda: _torch_epoch(model, optimizer, torch.nn.functional.binary_cross_entropy_with_logits,
                                torch.from_numpy(x), torch.from_numpy(y))


def _torch_epoch(model, optimizer, loss_fn, xt, yt):
    for start in range(0, len(xt), BATCH):
        optimizer.zero_grad()
        loss = loss_fn(model(xt[start:start + BATCH]), yt[start:start + BATCH])
        loss.backward()
        optimizer.step()


CASES = {
    "cnn8": ("CNN, 8×8 inputs (1797 images)", lambda: cnn_data(1797, 8), backproplab_cnn, torch_cnn),
    "cnn28": ("CNN, 28×28 inputs (6000 images)", lambda: cnn_data(6000, 28), backproplab_cnn, torch_cnn),
    "lstm": ("LSTM(32), 50 steps (2048 sequences)", lambda: sequence_data(2048, 50), backproplab_lstm, torch_lstm),
}


# ------------------------------------------------------------------ timing

def time_epochs(runners, repeats):
    """Alternate one epoch of each runner, ``repeats`` times after a warm-up; seconds per epoch."""
    for run in runners.values():
        run()                                  # warm-up: allocations, first-call costs
    times = {name: [] for name in runners}
    for r in range(repeats):
        order = list(runners) if r % 2 == 0 else list(runners)[::-1]
        for name in order:
            start = time.perf_counter()
            runners[name]()
            times[name].append(time.perf_counter() - start)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed epochs per library (median reported)")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    args = parser.parse_args(argv)

    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: timing backproplab only.")
    if torch is not None:
        torch.set_num_threads(1)
        print(f"numpy {np.__version__}, torch {torch.__version__}; BLAS and torch pinned to 1 thread; "
              f"batch {BATCH}; median of {args.repeats} epochs each, interleaved.")

    limiter = threadpool_limits(limits=1) if threadpool_limits is not None else None
    rows = []
    try:
        for key in args.cases:
            title, make_data, ours, theirs = CASES[key]
            data = make_data()
            runners = {"backproplab": ours(*data)}
            if torch is not None:
                runners["torch"] = theirs(*data)
            times = time_epochs(runners, args.repeats)
            med = {name: statistics.median(ts) for name, ts in times.items()}
            best = {name: min(ts) for name, ts in times.items()}
            nan = float("nan")
            rows.append((title, med["backproplab"], med.get("torch", nan), best["backproplab"], best.get("torch", nan)))
            print(f"  {key}: backproplab {med['backproplab']:.3f} s"
                  + (f", torch {med['torch']:.3f} s, ratio {med['backproplab'] / med['torch']:.2f}"
                     if "torch" in med else ""), flush=True)
    finally:
        if limiter is not None:
            limiter.unregister()

    print()
    print(f"{'':38s} {'median s/epoch':>22s} {'best s/epoch':>22s}")
    print(f"{'case':38s} {'ours':>8s} {'torch':>7s} {'ratio':>6s} {'ours':>8s} {'torch':>7s} {'ratio':>6s}")
    for title, ours_med, torch_med, ours_best, torch_best in rows:
        ratio = ours_med / torch_med
        verdict = "" if ratio != ratio else ("  ok (≤ 2)" if ratio <= 2 else "  above the 2× target")
        print(f"{title:38s} {ours_med:8.3f} {torch_med:7.3f} {ratio:6.2f} {ours_best:8.3f} {torch_best:7.3f} "
              f"{ours_best / torch_best:6.2f}{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
