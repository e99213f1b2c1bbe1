"""The progress line that ``fit(verbose=1)`` prints, in a terminal and in JupyterLab alike.

It rewrites one line with a carriage return (both terminals and Jupyter's output areas honour
``\\r``), at most ten times a second, and ends each epoch with a full line of its averages.
"""
import sys
import time


def format_logs(logs):
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


class ProgressBar:
    def __init__(self, epochs, steps, verbose=1, stream=None, width=24):
        self.epochs, self.steps, self.verbose, self.width = epochs, steps, verbose, width
        self.stream = stream if stream is not None else sys.stdout
        self._last = 0.0

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()

    def epoch_begin(self, epoch):
        self._t0 = time.perf_counter()
        self._last = 0.0
        if self.verbose:
            self._write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def update(self, step, logs):
        if self.verbose != 1:
            return
        now = time.perf_counter()
        if step >= self.steps or now - self._last < 0.1:
            return  # the epoch's last step is drawn by epoch_end
        self._last = now
        done = int(self.width * step / self.steps)
        bar = "=" * max(done - 1, 0) + (">" if done < self.width else "=") + "." * (self.width - done)
        self._write(f"\r{step}/{self.steps} [{bar}] - {format_logs(logs)}")

    def epoch_end(self, logs):
        if not self.verbose:
            return
        seconds = time.perf_counter() - self._t0
        bar = "=" * self.width
        head = f"\r{self.steps}/{self.steps} [{bar}]" if self.verbose == 1 else f"{self.steps}/{self.steps}"
        self._write(f"{head} - {seconds:.1f}s - {format_logs(logs)}\n")
