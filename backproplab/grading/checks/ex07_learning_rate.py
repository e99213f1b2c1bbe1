"""Checks for ex07: reading a learning rate off a loss curve, and the largest stable step 2/λ_max.

The loss curves come from mini-batch gradient descent on a small linear regression (half mean
squared error), with learning rates that are fractions of 2/λ_max, the stability limit of full-batch
gradient descent on that problem (λ_max: the largest eigenvalue of the Hessian XᵀX/n).
"""
import numpy as np

from ..core import ChoiceQuestion, FunctionQuestion, Question, Verdict, from_plain, register

LABELS = ["too_small", "good", "oscillating", "diverging"]


def loss_curve(rng, factor, steps=60, n=64, d=4, batch=8):
    """Losses of mini-batch SGD at learning rate ``factor / λ_max`` (stops early once it blows up)."""
    X = rng.normal(size=(n, d)) * np.array([3.0, 1.0, 1.0, 0.5])[:d]
    w_true = rng.normal(size=d)
    y = X @ w_true + 0.1 * rng.normal(size=n)
    lam = float(np.linalg.eigvalsh(X.T @ X / n).max())
    lr = factor / lam
    w = np.zeros(d)
    losses = []
    for _ in range(steps):
        loss = 0.5 * float(np.mean((X @ w - y) ** 2))
        losses.append(loss)
        if not np.isfinite(loss) or loss > 1e10:
            break
        idx = rng.choice(n, batch, replace=False)
        w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / batch
    return np.array(losses)


_CURVES = {"A": 1.6, "B": 0.002, "C": 3.0, "D": 0.3}
_TRUTH = {"A": "oscillating", "B": "too_small", "C": "diverging", "D": "good"}


def curves():
    """The four loss curves of question 1, as ``{"A": losses, ...}`` (the same every time)."""
    return {k: loss_curve(np.random.default_rng(70 + i), f) for i, (k, f) in enumerate(sorted(_CURVES.items()))}


def diagnose_reference(losses):
    """The rule of question 2, in order: diverging, oscillating, too small, good."""
    losses = np.asarray(losses, dtype=np.float64)
    if not np.all(np.isfinite(losses)) or losses[-1] > losses[0]:
        return "diverging"
    if np.mean(np.diff(losses) > 0) >= 0.25:
        return "oscillating"
    if losses[-1] > 0.5 * losses[0]:
        return "too_small"
    return "good"


q1 = ChoiceQuestion("labels", dict(_TRUTH), LABELS, what="label", hints={
    "too_small": "a curve that is still falling steadily is not too slow if it has fallen most of the way.",
    "good": "look at how often this curve goes UP from one step to the next, and where it ends.",
    "oscillating": "does it settle at all? Compare where it ends with where it started.",
    "diverging": "it ends below where it started, so it does not diverge."})


def _curve_inputs(rng, factor=0.3, steps=60, nan=False):
    losses = loss_curve(rng, factor, steps=steps)
    if nan:
        losses = np.append(losses[:10], np.nan)
    return {"losses": losses}


def _describe_curve(losses):
    losses = np.asarray(losses, dtype=np.float64)
    if not np.all(np.isfinite(losses)):
        return "a curve that reaches NaN or infinity"
    if losses[-1] > losses[0]:
        return "a curve that ends above where it started"
    ups = np.mean(np.diff(losses) > 0)
    if ups >= 0.25:
        return f"a curve that goes up in {ups:.0%} of its steps"
    if losses[-1] > 0.5 * losses[0]:
        return "a curve that fell by less than half, rising in fewer than a quarter of its steps"
    return "a curve that fell by more than half, rising in fewer than a quarter of its steps"


class DiagnoseQuestion(FunctionQuestion):
    """The answer returns a label; a wrong label is explained by what the curve does."""

    def _judge_case(self, case, result):
        if "__error__" in result:
            return f"{self.answer_name} raised {result['__error__']}"
        losses = self.inputs(case)["losses"]
        answer = from_plain(result.get("out"))
        if not isinstance(answer, str):
            return f"{self.answer_name} should return one of {', '.join(map(repr, LABELS))}."
        answer = answer.strip()
        if answer not in LABELS:
            return f"{answer!r} is not a label; return one of {', '.join(map(repr, LABELS))}."
        if answer == diagnose_reference(losses):
            return None
        return (f"for {_describe_curve(losses)} you answered {answer!r}. Apply the tests in the order given: "
                "diverging, then oscillating, then too small.")


q2 = DiagnoseQuestion("diagnose", _curve_inputs, diagnose_reference,
                      public=[{"seed": 1, "factor": 0.002}, {"seed": 2, "factor": 0.3}, {"seed": 3, "factor": 1.6},
                              {"seed": 4, "factor": 3.0}])


def _hessian(rng, d=3):
    a = rng.normal(size=(d, d))
    return {"H": a @ a.T + 0.1 * np.eye(d)}


def _stable_mistakes(H):
    lam = np.linalg.eigvalsh(H)
    return [("gradient descent is stable while every |1 − lr·λ| < 1, so the LARGEST eigenvalue sets the "
             "limit, not the smallest.", 2 / lam.min()),
            ("use the largest eigenvalue of H, not its largest diagonal entry.", 2 / np.max(np.diag(H))),
            ("use the largest eigenvalue of H, not its trace (the sum of all eigenvalues).", 2 / np.trace(H)),
            ("the limit is 2/λ_max: 1/λ_max is the step that lands on the minimum along that direction, "
             "not the largest stable one.", 1 / lam.max())]


q3 = FunctionQuestion("largest_stable_lr", _hessian, lambda H: 2.0 / np.linalg.eigvalsh(H).max(),
                      public=[{"seed": 5}], mistakes=_stable_mistakes)

register(globals(), "ex07_learning_rate")
