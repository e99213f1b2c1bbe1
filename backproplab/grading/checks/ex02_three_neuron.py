"""Checks for ex02: the seed article's three-neuron network (reference: ``backproplab.scalar.ThreeNeuronNet``).

x1 → h1 = σ(w11·x1), h2 = σ(w12·x1) → o1 = σ(w21·h1 + w22·h2);  E = ½ (y − o1)².
"""
from ...scalar import ThreeNeuronNet, seed_article_gradients
from ..core import ChoiceQuestion, FunctionQuestion, PropertyQuestion, is_finite_number, register

WEIGHTS = ("w11", "w12", "w21", "w22")


def _inputs(rng, target=True):
    d = {"x1": float(rng.uniform(-2, 2))}
    if target:
        d["y"] = float(rng.uniform(0, 1))
    for w in WEIGHTS:
        d[w] = float(rng.uniform(-2, 2))
    return d


def _net(w11, w12, w21, w22):
    return ThreeNeuronNet(w11=w11, w12=w12, w21=w21, w22=w22)


def _forward(x1, w11, w12, w21, w22):
    f = _net(w11, w12, w21, w22).forward(x1)
    return f.h1, f.h2, f.o1


def _grads(x1, y, w11, w12, w21, w22):
    return _net(w11, w12, w21, w22).gradients(x1, y)


def _mistakes_out(x1, y, w11, w12, w21, w22):
    h1, h2, o1 = _forward(x1, w11, w12, w21, w22)
    return [("you forgot the output sigmoid's derivative o1(1 − o1).", ((o1 - y) * h1, (o1 - y) * h2)),
            ("you followed the article's chain dE/do1 · do1/dh1 · dh1/dw21, which is not a path to w21: "
             "w21 enters through the output's input w21·h1 + w22·h2.",
             ((o1 - y) * o1 * (1 - o1) * w21 * h1 * (1 - h1), (o1 - y) * o1 * (1 - o1) * w22 * h2 * (1 - h2)))]


def _mistakes_hidden(x1, y, w11, w12, w21, w22):
    h1, h2, o1 = _forward(x1, w11, w12, w21, w22)
    d = (o1 - y) * o1 * (1 - o1)
    article = seed_article_gradients(_net(w11, w12, w21, w22), x1, y)
    return [("this is the seed article's formula, which is wrong: it misses two factors on the path "
             "o1 ← h1 ← w11.", (article["w11"], article["w12"])),
            ("you forgot the hidden sigmoid's derivative h1(1 − h1) (and h2(1 − h2)).", (d * w21 * x1, d * w22 * x1)),
            ("you forgot the weight the gradient flows back through: ∂(w21·h1 + w22·h2)/∂h1 = w21.",
             (d * h1 * (1 - h1) * x1, d * h2 * (1 - h2) * x1)),
            ("you used the other hidden neuron's weight: h1 feeds o1 through w21, h2 through w22.",
             (d * w22 * h1 * (1 - h1) * x1, d * w21 * h2 * (1 - h2) * x1))]


q1 = FunctionQuestion("forward", lambda rng: _inputs(rng, target=False), _forward,
                      outputs=("h1", "h2", "o1"), public=[{"seed": 0}])

q2 = FunctionQuestion("output_weight_grads", _inputs,
                      lambda *a: (lambda g: (g["w21"], g["w22"]))(_grads(*a)),
                      outputs=("dE_dw21", "dE_dw22"), public=[{"seed": 1}], mistakes=_mistakes_out)

q3 = FunctionQuestion("hidden_weight_grads", _inputs,
                      lambda *a: (lambda g: (g["w11"], g["w12"]))(_grads(*a)),
                      outputs=("dE_dw11", "dE_dw12"), public=[{"seed": 2}], mistakes=_mistakes_hidden)

FACTORS = ["(o1 - y)", "o1*(1 - o1)", "w21", "w22", "h1*(1 - h1)", "h2*(1 - h2)", "x1", "h1"]

q4 = ChoiceQuestion(
    "missing_factors", {"w21", "h1*(1 - h1)"}, FACTORS, what="factor",
    hints={"(o1 - y)": "(o1 - y) is in the article's formula already.",
           "o1*(1 - o1)": "o1*(1 - o1) is in the article's formula already.",
           "x1": "x1 is in the article's formula already.",
           "w22": "w22 is not on the path from w11 to the error: w11 only feeds h1.",
           "h2*(1 - h2)": "h2 is not on the path from w11 to the error: w11 only feeds h1.",
           "h1": "h1 itself is not a factor of dE/dw11 (it is one of dE/dw21); think of what dh1/dw11 is."})


def _counterexample(value):
    if not isinstance(value, dict):
        return "counterexample should be a dict with the keys x1, y, w11, w12, w21, w22."
    keys = {"x1", "y", *WEIGHTS}
    if set(value) != keys:
        return "counterexample should have exactly the keys " + ", ".join(sorted(keys)) + "."
    if not all(is_finite_number(value[k]) for k in keys):
        return "every entry of counterexample should be a finite number."
    if not all(abs(value[k]) <= 10 for k in keys):
        return "keep every number between −10 and 10 so the sigmoids do not saturate."
    net = _net(*(value[w] for w in WEIGHTS))
    right = net.gradients(value["x1"], value["y"])["w11"]
    wrong = seed_article_gradients(net, value["x1"], value["y"])["w11"]
    if abs(right) < 1e-6 or abs(wrong) < 1e-6:
        return "at this point one of the two gradients is (almost) zero; pick a point where both are clearly not."
    if right * wrong > 0:
        return ("at this point both formulas agree on the sign of dE/dw11. Which missing factor can be "
                "negative?")
    return None


q5 = PropertyQuestion("counterexample", _counterexample,
                      success="correct: here the article's formula would move w11 the wrong way.")

register(globals(), "ex02_three_neuron")
