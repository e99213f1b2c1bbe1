"""Kernel-side redraw time of each widget playground, against the 0.3 s target (issue 6).

What is timed is what the learner's kernel does when a slider moves or a button is clicked: the
playground reruns its numbers, builds the matplotlib figure, and ``plt.show()`` hands it to
Jupyter's inline backend, which encodes the PNG (with ``bbox_inches='tight'``, its default) and
sends it to the front end. So the benchmark runs in a real IPython kernel (``jupyter_client``),
with ``%matplotlib inline``, and times ``control.value = new`` (or a button click) there: from the
change until the callback returns, which includes the PNG encoding and the message send. The
browser's own drawing time is not included (see tests/browser for the end-to-end view).

Each playground gets ``--warmup`` untimed moves, then ``--moves`` timed ones cycling through
representative values; the median and the slowest are printed in wall-clock seconds, and the
median CPU seconds of the kernel process (less sensitive to other load on the machine: when the
wall time is well above the CPU time, the kernel was waiting for a core). The load average is
printed before and after. BLAS threads are pinned to one in the kernel (threadpoolctl), as the
other benchmarks do.

Run:  python benchmarks/bench_widgets.py [--moves 15] [--warmup 3] [--target 0.3]
Exit status is 0 whatever the result: this prints, it does not test.
"""
import argparse
import json
import os
import sys
import textwrap
import time

SETUP = """
%matplotlib inline
import json, statistics, time
from threadpoolctl import threadpool_limits
threadpool_limits(1)
import matplotlib.pyplot as plt
from backproplab import widgets

def _time_moves(pg, moves, warmup):
    walls, cpus = [], []
    for i, move in enumerate(moves):
        c0, t0 = time.process_time(), time.perf_counter()
        move()
        t1, c1 = time.perf_counter(), time.process_time()
        if i >= warmup:
            walls.append(t1 - t0)
            cpus.append(c1 - c0)
    assert pg.renders >= len(moves), (pg.renders, len(moves))
    return {"median": statistics.median(walls), "max": max(walls), "cpu_median": statistics.median(cpus),
            "n": len(walls), "png_bytes": None}
"""

CASES = {
    "learning_rate_explorer (slider)": """
pg = widgets.learning_rate_explorer()
s = pg.controls["learning_rate"]
values = [0.0316, 0.1, 0.398, 0.501, 1.0, 0.01, 0.0001, 0.2]
moves = [(lambda v=values[i % len(values)]: setattr(s, "value", v)) for i in range({n})]
""",
    "three_neuron_stepper (Next phase button)": """
pg = widgets.three_neuron_stepper()
b = pg.buttons["next"]
moves = [b.click for i in range({n})]
""",
    "three_neuron_stepper (learning-rate slider)": """
pg = widgets.three_neuron_stepper()
s = pg.controls["learning_rate"]
values = [1.0, 2.0, 0.3, 0.5]
moves = [(lambda v=values[i % len(values)]: setattr(s, "value", v)) for i in range({n})]
""",
    "optimizer_race (ravine, SGD learning-rate slider)": """
pg = widgets.optimizer_race()
s = pg.controls["learning_rate"]
values = [0.02, 0.005, 0.03, 0.01]
moves = [(lambda v=values[i % len(values)]: setattr(s, "value", v)) for i in range({n})]
""",
    "optimizer_race (Rosenbrock, 300 steps, adaptive slider)": """
pg = widgets.optimizer_race(surface="Rosenbrock banana")
s = pg.controls["adaptive_learning_rate"]
values = [0.05, 0.2, 0.1, 0.03]
moves = [(lambda v=values[i % len(values)]: setattr(s, "value", v)) for i in range({n})]
""",
}


def run_in_kernel(kc, code, timeout=300):
    """Execute ``code``; return its stdout text, raising on an error."""
    msg_id = kc.execute(code, store_history=False)
    out, err = [], None
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        elif kind == "error":
            err = "\n".join(content["traceback"])
        elif kind == "status" and content["execution_state"] == "idle":
            break
    if err:
        raise RuntimeError(err)
    return "".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=15, help="timed moves per playground")
    ap.add_argument("--warmup", type=int, default=3, help="untimed moves first")
    ap.add_argument("--target", type=float, default=0.3, help="seconds per redraw")
    args = ap.parse_args(argv)

    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        run_in_kernel(kc, SETUP)
        n = args.moves + args.warmup
        print(f"Kernel-side redraw time per control change (median of {args.moves} after {args.warmup} warm-up; "
              f"target {args.target:.2f} s; inline backend, PNG encoding included; BLAS pinned to 1 thread)")
        print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"{'playground (control)':58s} {'median s':>9s} {'max s':>7s} {'cpu s':>7s} {'x target':>9s}")
        worst = 0.0
        for name, case in CASES.items():
            code = textwrap.dedent(case).format(n=n) + \
                f"print(json.dumps(_time_moves(pg, moves, {args.warmup})))\nplt.close('all')\n"
            r = json.loads(run_in_kernel(kc, code).strip().splitlines()[-1])
            ratio = r["median"] / args.target
            worst = max(worst, ratio)
            flag = "ok" if ratio <= 1 else "SLOW"
            print(f"{name:58s} {r['median']:9.3f} {r['max']:7.3f} {r['cpu_median']:7.3f} {ratio:8.2f}x  {flag}")
        print(f"worst median / target = {worst:.2f}")
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
