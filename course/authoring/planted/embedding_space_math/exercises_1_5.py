"""Planted misconceptions of Embedding Space Math, exercises 1-5 (see the package docstring)."""

from __future__ import annotations

from .. import Misconception
from .entry import _m

# One entry per planted answer; formatted by hand, one line per line of the body.
# fmt: off
# Every misconception fails a *visible* check of its own exercise, and the hint printed there is
# its own (tests/test_misconceptions.py proves both); `hint` is a piece of the notebook's text.
MISCONCEPTIONS_1_5: dict[str, Misconception] = {
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
}
# fmt: on
