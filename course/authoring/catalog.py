"""The planted answers of Embedding Space Math: misconceptions, hidden-only mistakes, unusual
correct answers (runs in the instructor's process: tests, demo, benchmarks).

Each entry replaces one function's solution region (see misconceptions.student_notebook).
MISCONCEPTIONS must each fail a *visible* check of their own exercise, and no other exercise,
with a hint of their own (`hint` is a piece of it); HIDDEN_ONLY pass every visible check and
fail a hidden one; CORRECT_VARIANTS must earn full points. tests/test_misconceptions.py proves
all three.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Misconception:
    exercise: int
    function: str
    body: str  # replaces the function's solution region (4-space indented by us)
    why: str  # what the student got wrong, as an instructor would say it
    hint: str = ""  # a piece of the hint the visible checks must print for exactly this mistake


def _m(exercise, function, body, why, hint):
    return Misconception(exercise, function, body, why, hint)


# One entry per planted answer; formatted by hand, one line per line of the body.
# fmt: off
# Every misconception fails a *visible* check of its own exercise, and the hint printed there is
# its own (tests/test_misconceptions.py proves both); `hint` is a piece of the notebook's text.
MISCONCEPTIONS: dict[str, Misconception] = {
    # Exercise 1: embed
    "embed_transposed": _m(1, "embed",
        "return np.asarray(E).T[np.asarray(ids)]",
        'indexes columns of E instead of rows', 'the rows of E are the tokens'),
    "embed_flattened": _m(1, "embed",
        "return np.asarray(E)[np.ravel(ids)]",
        'flattens the batch of ids', 'keep the batch shape'),
    "embed_np_take": _m(1, "embed",
        "return np.take(E, ids)",
        'np.take without axis=0', 'without axis=0'),
    "embed_one_based": _m(1, "embed",
        "return np.asarray(E)[np.asarray(ids) - 1]",
        'treats ids as 1-based', 'ids count from 0'),
    # Exercise 2: one_hot
    "one_hot_columns": _m(2, "one_hot",
        "return np.eye(vocab_size)[:, np.asarray(ids)]",
        'puts the vocabulary on the first axis', 'the vocabulary goes on the last axis'),
    "one_hot_vocab_from_ids": _m(2, "one_hot",
        "ids = np.asarray(ids)\n"
        "return np.eye(ids.max() + 1)[ids]",
        'sizes the vocabulary from the largest id, ignoring vocab_size',
        'use the vocab_size argument'),
    "one_hot_loop_1d": _m(2, "one_hot",
        "out = np.zeros((len(ids), vocab_size))\n"
        "for row, i in enumerate(ids):\n"
        "    out[row, i] = 1.0\n"
        "return out",
        'a loop that only handles a 1-D list of ids', 'must accept a single id'),
    "one_hot_lookup_transposed": _m(2, "one_hot_lookup",
        "E = np.asarray(E, dtype=float)\n"
        "return E.T @ one_hot(ids, E.shape[0]).T",
        'multiplies in the wrong order, giving (d, T)', 'the one-hot matrix goes on the left'),
    "one_hot_lookup_sized_by_d": _m(2, "one_hot_lookup",
        "E = np.asarray(E, dtype=float)\n"
        "return one_hot(ids, E.shape[1]) @ E",
        'sizes the one-hot with d instead of V', 'size the one-hot with V = E.shape[0]'),
    # Exercise 3: cosine
    "cosine_unnormalised": _m(3, "cosine",
        "return float(np.dot(u, v))",
        'cosine without normalising: a plain dot product', 'you returned the plain dot product'),
    "cosine_one_norm": _m(3, "cosine",
        "return float(np.dot(u, v) / np.linalg.norm(u))",
        'divides by one norm only', 'not by one of them'),
    "cosine_distance": _m(3, "cosine",
        "return float(1 - np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))",
        'returns the cosine distance 1 - cos', '1 - cos is the cosine distance'),
    "nearest_by_dot": _m(3, "nearest_neighbor",
        "return int(np.argmax(np.asarray(E) @ np.asarray(query)))",
        'ranks neighbours by dot product, so long vectors win',
        'the dot product prefers long rows'),
    "nearest_by_euclid": _m(3, "nearest_neighbor",
        "return int(np.argmin(np.linalg.norm(np.asarray(E) - np.asarray(query), axis=1)))",
        'ranks neighbours by Euclidean distance', 'Euclidean distance prefers short rows'),
    "nearest_argmin": _m(3, "nearest_neighbor",
        "E = normalize_rows(np.asarray(E, dtype=float))\n"
        "return int(np.argmin(E @ np.asarray(query, dtype=float)))",
        'argmin of the cosine: the least similar row', 'argmax, not argmin'),
    # Exercise 4: analogy_target
    "analogy_reversed": _m(4, "analogy_target",
        "return np.asarray(a) - np.asarray(b) + np.asarray(c)",
        'adds the relation backwards', 'you added a - b'),
    "analogy_relation_only": _m(4, "analogy_target",
        "return np.asarray(b, dtype=float) - np.asarray(a, dtype=float)",
        'returns the relation b - a, not the target', 'b - a is only the relation'),
    "analogy_normalised": _m(4, "analogy_target",
        "t = np.asarray(c, dtype=float) - np.asarray(a, dtype=float) + np.asarray(b, dtype=float)\n"
        "return t / np.linalg.norm(t)",
        'normalises the target to a unit vector', 'not its unit vector'),
    "analogy_in_place": _m(4, "analogy_target",
        "c += np.asarray(b) - np.asarray(a)\n"
        "return c",
        "moves c in place, changing the caller's vector", 'must not change'),
    # Exercise 5: center
    "center_wrong_axis": _m(5, "center",
        "X = np.asarray(X, dtype=float)\n"
        "return X - X.mean(axis=1, keepdims=True)",
        "subtracts each row's own mean instead of the mean row", "each row's own mean"),
    "center_in_place": _m(5, "center",
        "X -= X.mean(axis=0, keepdims=True)\n"
        "return X",
        "centres in place, changing the caller's data", 'must not change'),
    "center_global_mean": _m(5, "center",
        "X = np.asarray(X, dtype=float)\n"
        "return X - X.mean()",
        'subtracts one global mean', 'one mean per dimension'),
    "center_standardised": _m(5, "center",
        "X = np.asarray(X, dtype=float)\n"
        "return (X - X.mean(axis=0)) / X.std(axis=0)",
        'standardises (divides by the standard deviation)', 'dividing by the standard deviation'),
    # Exercise 6: output_row_grad
    "grad_sign_flipped": _m(6, "output_row_grad",
        "return np.outer(np.eye(len(p))[y] - np.asarray(p), np.asarray(h))",
        'gradient sign flipped (onehot - p)', 'the sign is flipped'),
    "grad_transposed": _m(6, "output_row_grad",
        "return np.outer(np.asarray(h), np.asarray(p) - np.eye(len(p))[y])",
        'returns the (d, V) transpose', 'one row per token'),
    "grad_no_onehot": _m(6, "output_row_grad",
        "return np.outer(np.asarray(p), np.asarray(h))",
        'forgets to subtract the one-hot of the target', 'subtract the one-hot of the target'),
    "grad_target_row_only": _m(6, "output_row_grad",
        "p = np.asarray(p, dtype=float)\n"
        "G = np.zeros((len(p), len(h)))\n"
        "G[y] = (p[y] - 1.0) * np.asarray(h)\n"
        "return G",
        'only the target row gets a gradient', 'every row moves'),
    # Exercise 7: sinusoidal_positions
    "sin_cos_swapped": _m(7, "sinusoidal_positions",
        "pos = np.arange(n_positions)[:, None]\n"
        "i = np.arange(d_model)[None, :]\n"
        "angles = pos / np.power(10000, (2 * (i // 2)) / d_model)\n"
        "pe = np.zeros((n_positions, d_model))\n"
        "pe[:, 0::2] = np.cos(angles[:, 0::2])\n"
        "pe[:, 1::2] = np.sin(angles[:, 1::2])\n"
        "return pe",
        'sine and cosine swapped', 'you swapped them'),
    "sinusoid_exponent_i": _m(7, "sinusoidal_positions",
        "pos = np.arange(n_positions)[:, None]\n"
        "i = np.arange(d_model)[None, :]\n"
        "angles = pos / np.power(10000, i / d_model)\n"
        "pe = np.zeros((n_positions, d_model))\n"
        "pe[:, 0::2] = np.sin(angles[:, 0::2])\n"
        "pe[:, 1::2] = np.cos(angles[:, 1::2])\n"
        "return pe",
        'exponent i/d instead of 2*(i//2)/d: the sin/cos pair no longer shares a frequency',
        'share one frequency'),
    "sinusoid_multiplied": _m(7, "sinusoidal_positions",
        "pos = np.arange(n_positions)[:, None]\n"
        "i = np.arange(d_model)[None, :]\n"
        "angles = pos * np.power(10000, (2 * (i // 2)) / d_model)\n"
        "pe = np.zeros((n_positions, d_model))\n"
        "pe[:, 0::2] = np.sin(angles[:, 0::2])\n"
        "pe[:, 1::2] = np.cos(angles[:, 1::2])\n"
        "return pe",
        'multiplies the position by the frequency term instead of dividing',
        'divide the position by 10000'),
    "sinusoid_half_split": _m(7, "sinusoidal_positions",
        "pos = np.arange(n_positions)[:, None]\n"
        "k = np.arange(d_model // 2)[None, :]\n"
        "angles = pos / np.power(10000, 2 * k / d_model)\n"
        "return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)",
        'all sines first, then all cosines (not interleaved)', 'interleave the columns'),
    # Exercise 8: rope_rotate
    "rope_exponent_k": _m(8, "rope_rotate",
        "x = np.asarray(x, dtype=float)\n"
        "d = x.shape[0]\n"
        "out = x.copy()\n"
        "for k in range(0, d, 2):\n"
        "    theta = position / (base ** k)\n"
        "    c, s = np.cos(theta), np.sin(theta)\n"
        "    a, b = x[k], x[k + 1]\n"
        "    out[k], out[k + 1] = c * a - s * b, s * a + c * b\n"
        "return out",
        'RoPE frequency base**k instead of base**(k/d)', 'base**k leaves every pair'),
    "rope_clockwise": _m(8, "rope_rotate",
        "x = np.asarray(x, dtype=float)\n"
        "d = x.shape[0]\n"
        "out = x.copy()\n"
        "for k in range(0, d, 2):\n"
        "    theta = position / (base ** (k / d))\n"
        "    c, s = np.cos(theta), np.sin(theta)\n"
        "    a, b = x[k], x[k + 1]\n"
        "    out[k], out[k + 1] = c * a + s * b, -s * a + c * b\n"
        "return out",
        'rotates clockwise (sin sign flipped)', 'your sine has the other sign'),
    "rope_half_split": _m(8, "rope_rotate",
        "x = np.asarray(x, dtype=float)\n"
        "d = x.shape[0]\n"
        "half = d // 2\n"
        "theta = position / base ** (2 * np.arange(half) / d)\n"
        "x1, x2 = x[:half], x[half:]\n"
        "return np.concatenate([x1 * np.cos(theta) - x2 * np.sin(theta), x1 * np.sin(theta) + x2 * np.cos(theta)])",
        'pairs x[j] with x[j + d/2] (rotate_half layout)', 'the rotate_half layout'),
    "rope_ignores_base": _m(8, "rope_rotate",
        "x = np.asarray(x, dtype=float)\n"
        "d = x.shape[0]\n"
        "out = x.copy()\n"
        "for k in range(0, d, 2):\n"
        "    theta = position / (10000.0 ** (k / d))\n"
        "    c, s = np.cos(theta), np.sin(theta)\n"
        "    a, b = x[k], x[k + 1]\n"
        "    out[k], out[k + 1] = c * a - s * b, s * a + c * b\n"
        "return out",
        'ignores the base argument', 'use the base argument'),
    "rope_in_place": _m(8, "rope_rotate",
        "d = len(x)\n"
        "for k in range(0, d, 2):\n"
        "    theta = position / base ** (k / d)\n"
        "    c, s = np.cos(theta), np.sin(theta)\n"
        "    x[k], x[k + 1] = c * x[k] - s * x[k + 1], s * x[k] + c * x[k + 1]\n"
        "return x",
        "rotates the caller's vector in place", 'must not change'),
    "rope_int_copy": _m(8, "rope_rotate",
        "x = np.asarray(x)\n"
        "d = x.shape[0]\n"
        "out = x.copy()\n"
        "for k in range(0, d, 2):\n"
        "    theta = position / base ** (k / d)\n"
        "    c, s = np.cos(theta), np.sin(theta)\n"
        "    out[k], out[k + 1] = c * x[k] - s * x[k + 1], s * x[k] + c * x[k + 1]\n"
        "return out",
        'copies an integer input and truncates the rotated values', 'keeps the int dtype'),
    # Exercise 9: alibi_bias
    "alibi_sign_flipped": _m(9, "alibi_bias",
        "i = np.arange(n)[:, None]\n"
        "j = np.arange(n)[None, :]\n"
        "return -slope * np.maximum(i - j, 0)",
        'ALiBi sign flipped: distant keys get a bonus', "don't negate twice"),
    "alibi_symmetric": _m(9, "alibi_bias",
        "i = np.arange(n)[:, None]\n"
        "j = np.arange(n)[None, :]\n"
        "return slope * np.abs(i - j)",
        'uses |i - j|, penalising future keys too (not causal)', 'instead of |i - j|'),
    "alibi_transposed": _m(9, "alibi_bias",
        "i = np.arange(n)[:, None]\n"
        "j = np.arange(n)[None, :]\n"
        "return slope * np.maximum(j - i, 0)",
        'builds the transpose (keys as rows)', 'you built the transpose'),
    "alibi_ignores_slope": _m(9, "alibi_bias",
        "i = np.arange(n)[:, None]\n"
        "j = np.arange(n)[None, :]\n"
        "return -0.5 * np.maximum(i - j, 0)",
        'ignores the slope argument', 'use the slope argument'),
    "alibi_mask_inf": _m(9, "alibi_bias",
        "i = np.arange(n)[:, None]\n"
        "j = np.arange(n)[None, :]\n"
        "return np.where(j > i, -np.inf, slope * (i - j))",
        'puts -inf on future keys (mixes in the causal mask)', 'not -inf'),
    # Exercise 10: embedding_params
    "params_tied_swapped": _m(10, "embedding_params",
        "table = vocab * d\n"
        "return 2 * table if tied else table",
        'tied and untied swapped', 'are swapped'),
    "params_one_table": _m(10, "embedding_params",
        "return vocab * d",
        'always counts one table', 'untied counts two tables'),
    "params_float": _m(10, "embedding_params",
        "table = vocab * d * 1.0\n"
        "return table if tied else 2 * table",
        'returns a float count', 'return an int'),
    "params_plus_bias": _m(10, "embedding_params",
        "table = vocab * d + vocab\n"
        "return table if tied else 2 * table",
        'adds a bias vector of length V to each table', 'no bias vectors'),
}

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
CORRECT_VARIANTS: dict[str, Misconception] = {
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
