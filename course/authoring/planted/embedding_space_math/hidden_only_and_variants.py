"""Hidden-only mistakes and unusual correct answers of Embedding Space Math (see the package
docstring)."""

from __future__ import annotations

from .. import Misconception
from .entry import _m

# One entry per planted answer; formatted by hand, one line per line of the body.
# fmt: off
# Wrong answers that pass every visible check and fail only hidden tests (the demo's
# "fay_hidden" student, and proof that hidden tests still matter).
HIDDEN_ONLY: dict[str, Misconception] = {
    "embed_loops_2d_only": _m(1, "embed",
        "E = np.asarray(E)\n"
        "return np.array([[E[i] for i in row] for row in ids])",
        'loops that only handle a 2-D batch of ids', ''),
    "rope_first_two_pairs": _m(8, "rope_rotate",
        "x = np.asarray(x, dtype=float)\n"
        "d = x.shape[0]\n"
        "out = x.copy()\n"
        "for k in range(0, min(d, 4), 2):\n"
        "    theta = position / (base ** (k / d))\n"
        "    c, s = np.cos(theta), np.sin(theta)\n"
        "    a, b = x[k], x[k + 1]\n"
        "    out[k], out[k + 1] = c * a - s * b, s * a + c * b\n"
        "return out",
        'only rotates the first two pairs (hard-coded from the example)', ''),
}

# Correct answers written the unusual ways students write them (loops, lists, bool/int one-hot,
# complex numbers, float32): every one must earn full points (tests/test_misconceptions.py).
UNUSUAL: dict[str, Misconception] = {
    "embed_loop": _m(1, "embed",
        "E = np.asarray(E)\n"
        "ids = np.asarray(ids)\n"
        "rows = [E[i] for i in ids.reshape(-1)]\n"
        "return np.array(rows).reshape(ids.shape + (E.shape[1],))",
        'loops over the ids', ''),
    "one_hot_bool": _m(2, "one_hot",
        "return np.arange(vocab_size) == np.asarray(ids)[..., None]",
        'a bool one-hot', ''),
    "one_hot_int": _m(2, "one_hot",
        "return np.eye(vocab_size, dtype=int)[np.asarray(ids)]",
        'an int one-hot', ''),
    "cosine_lists": _m(3, "cosine",
        "dot = sum(a * b for a, b in zip(u, v))\n"
        "nu = sum(a * a for a in u) ** 0.5\n"
        "nv = sum(b * b for b in v) ** 0.5\n"
        "return float(dot / (nu * nv))",
        'plain Python sums', ''),
    "analogy_lists": _m(4, "analogy_target",
        "return np.array([ci - ai + bi for ai, bi, ci in zip(a, b, c)], dtype=float)",
        'a list comprehension', ''),
    "center_float32": _m(5, "center",
        "X = np.asarray(X, dtype=np.float32)\n"
        "return X - X.mean(axis=0)",
        'float32', ''),
    "grad_float32": _m(6, "output_row_grad",
        "p = np.asarray(p, dtype=np.float32)\n"
        "h = np.asarray(h, dtype=np.float32)\n"
        "p[y] -= 1\n"
        "return np.outer(p, h)",
        'float32, one-hot subtracted in place on a copy', ''),
    "sinusoid_float32": _m(7, "sinusoidal_positions",
        "pe = np.zeros((n_positions, d_model), dtype=np.float32)\n"
        "for pos in range(n_positions):\n"
        "    for i in range(0, d_model, 2):\n"
        "        angle = np.float32(pos / 10000 ** (i / d_model))\n"
        "        pe[pos, i] = np.sin(angle)\n"
        "        if i + 1 < d_model:\n"
        "            pe[pos, i + 1] = np.cos(angle)\n"
        "return pe",
        'float32 loops', ''),
    "rope_complex": _m(8, "rope_rotate",
        "x = np.asarray(x, dtype=float)\n"
        "d = x.shape[0]\n"
        "theta = position / base ** (np.arange(0, d, 2) / d)\n"
        "z = (x[0::2] + 1j * x[1::2]) * np.exp(1j * theta)\n"
        "out = np.empty(d)\n"
        "out[0::2], out[1::2] = z.real, z.imag\n"
        "return out",
        'complex numbers', ''),
    "rope_float32": _m(8, "rope_rotate",
        "x = np.asarray(x, dtype=np.float32)\n"
        "d = x.shape[0]\n"
        "out = x.copy()\n"
        "for k in range(0, d, 2):\n"
        "    theta = position / (base ** (k / d))\n"
        "    c, s = np.cos(theta), np.sin(theta)\n"
        "    a, b = x[k], x[k + 1]\n"
        "    out[k], out[k + 1] = c * a - s * b, s * a + c * b\n"
        "return out",
        'float32', ''),
    "alibi_loops": _m(9, "alibi_bias",
        "return np.array([[slope * (i - j) if j <= i else 0.0 for j in range(n)] for i in range(n)])",
        'nested list comprehension', ''),
    "params_numpy_int": _m(10, "embedding_params",
        "return np.int64(vocab) * d * (1 if tied else 2)",
        'a numpy integer', ''),
}
# fmt: on
