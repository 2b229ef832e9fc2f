"""A student's habits on top of a style, and written answers (see the package docstring)."""

from __future__ import annotations

import random
import re

from .styles_1_5 import (
    analogy_target,
    center,
    cosine,
    embed,
    nearest_neighbor,
    one_hot,
    one_hot_lookup,
)
from .styles_6_10 import (
    alibi_bias,
    embedding_params,
    output_row_grad,
    rope_rotate,
    sinusoidal_positions,
)

# Statements some students add (checks, casts, copies): each common, their mix personal.
EXTRAS = {
    "embed": [
        "E = np.asarray(E)",
        "assert E.ndim == 2",
        "d = E.shape[1]",
        "ids = np.asarray(ids).astype(int)",
    ],
    "one_hot": ["ids = np.asarray(ids, dtype=int)", "assert vocab_size > 0"],
    "one_hot_lookup": ["E = np.asarray(E, dtype=float)", "assert E.ndim == 2"],
    "cosine": ["u = np.ravel(u)", "v = np.ravel(v)", "assert u.shape == v.shape", "eps = 1e-12"],
    "nearest_neighbor": [
        "E = np.asarray(E, dtype=float)",
        "query = np.asarray(query, dtype=float)",
        "assert E.shape[1] == query.shape[0]",
    ],
    "center": ["X = np.array(X, dtype=float, copy=True)", "assert X.ndim == 2"],
    "output_row_grad": ["assert p.ndim == 1", "V, d = len(p), len(h)", "y = int(y)"],
    "sinusoidal_positions": [
        "assert d_model > 0",
        "n_positions = int(n_positions)",
        "d_model = int(d_model)",
    ],
    "rope_rotate": ["assert len(x) % 2 == 0", "position = float(position)", "base = float(base)"],
    "alibi_bias": ["n = int(n)", "assert n >= 0", "slope = float(slope)"],
    "embedding_params": ["vocab, d = int(vocab), int(d)", "assert vocab > 0 and d > 0"],
}
TEN_THOUSAND = ["10000.0", "1e4", "10000", "10_000.0", "10000."]


def personal(name: str, body: str, rng: random.Random, ten_thousand: str) -> str:
    """A student's habits on top of a style: extra checks and casts, a temporary before the
    return, their way of writing 10000."""
    lines = body.split("\n")
    if "\n" in body or rng.random() < 0.3:
        lines = [x for x in EXTRAS.get(name, []) if rng.random() < 0.35] + lines
    last = lines[-1]
    if last.startswith("return ") and rng.random() < 0.3 and len(last) > 20:
        var = rng.choice(["result", "out", "res", "ans"])
        lines[-1:] = [f"{var} = {last[7:]}", f"return {var}"]
    body = "\n".join(lines).replace("10000.0", ten_thousand)
    # Operands of * and + in either order (`a * c` or `c * a`), decided term by term.
    return _OPERANDS.sub(lambda m: f"{m[3]} {m[2]} {m[1]}" if rng.random() < 0.5 else m[0], body)


_OPERANDS = re.compile(r"(?<![\w.\]])([A-Za-z_]\w*|\d+) ([*+]) ([A-Za-z_]\w*|\d+)(?![\w.(\[])")


def written(rng: random.Random) -> str:
    text = " ".join(rng.choice(options) for options in WRITTEN).strip()
    return " ".join(text.split())[:1].upper() + " ".join(text.split())[1:]


# A written answer: one phrase from each slot (students say the same few things in many ways).
WRITTEN = [
    ["", "In short,", "I think", "Basically", "As I understand it,", "Put simply,", "Here"],
    ["the lookup", "indexing the table", "selecting rows", "this step", "the function", "my code"],
    [
        "picks one row per token",
        "returns the vector of each id",
        "is the same as a one-hot product",
        "gives every token its own learned vector",
        "maps ids to points in the space",
    ],
    [
        "so similar words end up close together.",
        "which is cheaper than multiplying matrices.",
        "and the geometry of those points is what the model learns.",
        "because the rows are trained parameters.",
        "so the shape grows by one axis of size d.",
    ],
    [
        "",
        "Cosine ignores length.",
        "I checked it on a small example.",
        "The mean direction dominates before centering.",
        "Positions need their own signal since attention is order blind.",
    ],
    [
        "",
        "That was the tricky part.",
        "The test confirmed it.",
        "It also works for batches.",
        "Shapes were the hardest bit.",
        "I drew the vectors to see it.",
        "Broadcasting does the rest.",
    ],
]
STYLES = {
    f.__name__: f
    for f in (
        embed,
        one_hot,
        one_hot_lookup,
        cosine,
        nearest_neighbor,
        analogy_target,
        center,
        output_row_grad,
        sinusoidal_positions,
        rope_rotate,
        alibi_bias,
        embedding_params,
    )
}
