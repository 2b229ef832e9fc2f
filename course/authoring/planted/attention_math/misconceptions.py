"""Planted misconceptions of attention_math: realistic wrong bodies, at least two per exercise
(the correct-but-unusual answers are in unusual.py).

Runs in: the test and demo processes (course.authoring.misconceptions builds the notebooks). Each
body replaces one function's solution region. tests/test_attention_math.py proves that every
misconception fails a visible check of its own exercise, fails its hidden tests too, and fails
nothing else, and that each prints its own hint.
"""

from __future__ import annotations

from dataclasses import replace

from .. import Misconception
from .hints import HINTS

M = Misconception

MISCONCEPTIONS: dict[str, Misconception] = {
    # 1 attention_scores
    "scores_unscaled": M(
        1,
        "attention_scores",
        "return np.asarray(Q) @ np.swapaxes(np.asarray(K), -1, -2)",
        "forgets the 1/sqrt(d) scale",
    ),
    "scores_divide_by_d": M(
        1,
        "attention_scores",
        "Q = np.asarray(Q, dtype=float)\nreturn Q @ np.swapaxes(np.asarray(K), -1, -2) / Q.shape[-1]",
        "divides by d instead of sqrt(d)",
    ),
    "scores_plain_transpose": M(
        1,
        "attention_scores",
        "Q = np.asarray(Q, dtype=float)\nreturn Q @ np.asarray(K).T / np.sqrt(Q.shape[-1])",
        "K.T reverses the batch axes too (only right for 2-D)",
    ),
    # 2 stable_softmax
    "softmax_no_max_shift": M(
        2,
        "stable_softmax",
        "e = np.exp(np.asarray(x, dtype=float))\nreturn e / e.sum(axis=axis, keepdims=True)",
        "no max subtraction: exp(1000) overflows",
    ),
    "softmax_global_sum": M(
        2,
        "stable_softmax",
        "x = np.asarray(x, dtype=float)\ne = np.exp(x - x.max())\nreturn e / e.sum()",
        "normalises over the whole array instead of along the axis",
    ),
    "softmax_ignores_axis": M(
        2,
        "stable_softmax",
        "x = np.asarray(x, dtype=float)\ne = np.exp(x - x.max(axis=-1, keepdims=True))\n"
        "return e / e.sum(axis=-1, keepdims=True)",
        "always normalises the last axis, ignoring `axis`",
    ),
    "softmax_global_max": M(
        2,
        "stable_softmax",
        "x = np.asarray(x, dtype=float)\ne = np.exp(x - x.max())\nreturn e / e.sum(axis=axis, keepdims=True)",
        "subtracts the maximum of the whole array, so rows far below it underflow to 0/0",
    ),
    # 3 causal_mask
    "mask_inverted": M(
        3,
        "causal_mask",
        "return np.triu(np.ones((n, n), dtype=bool), k=1)",
        "True marks the future (what to hide) instead of what may be attended",
    ),
    "mask_transposed": M(
        3,
        "causal_mask",
        "return np.triu(np.ones((n, n), dtype=bool))",
        "upper triangle: each query sees itself and the future",
    ),
    "mask_strict": M(
        3,
        "causal_mask",
        "return np.tril(np.ones((n, n), dtype=bool), k=-1)",
        "excludes the diagonal: a token may not attend to itself",
    ),
    "mask_float": M(
        3, "causal_mask", "return np.tril(np.ones((n, n)))", "a 0/1 float matrix, not booleans"
    ),
    # 4 softmax_temperature
    "temperature_multiplied": M(
        4,
        "softmax_temperature",
        "z = np.asarray(logits, dtype=float) * T\ne = np.exp(z - z.max(axis=-1, keepdims=True))\n"
        "return e / e.sum(axis=-1, keepdims=True)",
        "multiplies the logits by T instead of dividing",
    ),
    "temperature_not_renormalised": M(
        4,
        "softmax_temperature",
        "z = np.asarray(logits, dtype=float)\ne = np.exp(z - z.max(axis=-1, keepdims=True))\n"
        "return (e / e.sum(axis=-1, keepdims=True)) ** (1 / T)",
        "raises the probabilities to 1/T but forgets to renormalise",
    ),
    "temperature_unstable": M(
        4,
        "softmax_temperature",
        "e = np.exp(np.asarray(logits, dtype=float) / T)\nreturn e / e.sum(axis=-1, keepdims=True)",
        "no max subtraction: overflows at small T",
    ),
    # 5 cross_entropy
    "ce_sum": M(
        5,
        "cross_entropy",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nz = z - z.max(axis=1, keepdims=True)\n"
        "lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\nreturn float(-lp[np.arange(len(t)), t].sum())",
        "sums over the batch instead of averaging",
    ),
    "ce_log_of_softmax": M(
        5,
        "cross_entropy",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\n"
        "e = np.exp(z - z.max(axis=1, keepdims=True))\np = e / e.sum(axis=1, keepdims=True)\n"
        "return float(-np.log(p[np.arange(len(t)), t]).mean())",
        "log of a softmax that underflowed to 0: infinite loss",
    ),
    "ce_wrong_index": M(
        5,
        "cross_entropy",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nz = z - z.max(axis=1, keepdims=True)\n"
        "lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\nreturn float(-lp[:, t].mean())",
        "lp[:, targets] takes every target column of every row",
    ),
    "ce_per_row": M(
        5,
        "cross_entropy",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nz = z - z.max(axis=1, keepdims=True)\n"
        "lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\nreturn -lp[np.arange(len(t)), t]",
        "returns the per-row losses, forgetting the mean",
    ),
    "ce_global_max": M(
        5,
        "cross_entropy",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nz = z - z.max()\n"
        "lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\nreturn float(-lp[np.arange(len(t)), t].mean())",
        "shifts every row by the largest logit of the whole batch",
    ),
    # 6 attention
    "attention_mask_after_softmax": M(
        6,
        "attention",
        "Q = np.asarray(Q, dtype=float)\ns = Q @ np.swapaxes(np.asarray(K), -1, -2) / np.sqrt(Q.shape[-1])\n"
        "w = np.exp(s - s.max(axis=-1, keepdims=True))\nw = w / w.sum(axis=-1, keepdims=True)\n"
        "if mask is not None:\n    w = w * mask\nreturn w @ np.asarray(V)",
        "masks the weights after the softmax, so rows no longer sum to 1",
    ),
    "attention_softmax_over_queries": M(
        6,
        "attention",
        "Q = np.asarray(Q, dtype=float)\ns = Q @ np.swapaxes(np.asarray(K), -1, -2) / np.sqrt(Q.shape[-1])\n"
        "if mask is not None:\n    s = np.where(mask, s, -np.inf)\n"
        "w = np.exp(s - s.max(axis=-2, keepdims=True))\nw = w / w.sum(axis=-2, keepdims=True)\n"
        "return w @ np.asarray(V)",
        "softmax over the queries (axis -2) instead of the keys",
    ),
    "attention_mask_inverted": M(
        6,
        "attention",
        "Q = np.asarray(Q, dtype=float)\ns = Q @ np.swapaxes(np.asarray(K), -1, -2) / np.sqrt(Q.shape[-1])\n"
        "if mask is not None:\n    s = np.where(mask, -np.inf, s)\n"
        "w = np.exp(s - s.max(axis=-1, keepdims=True))\nreturn w / w.sum(axis=-1, keepdims=True) @ np.asarray(V)",
        "hides the keys the mask allows (True read as 'masked out')",
    ),
    "attention_unscaled": M(
        6,
        "attention",
        "s = np.asarray(Q, dtype=float) @ np.swapaxes(np.asarray(K), -1, -2)\n"
        "if mask is not None:\n    s = np.where(mask, s, -np.inf)\n"
        "w = np.exp(s - s.max(axis=-1, keepdims=True))\nreturn w / w.sum(axis=-1, keepdims=True) @ np.asarray(V)",
        "forgets the 1/sqrt(d) scale inside attention",
    ),
    "attention_global_max": M(
        6,
        "attention",
        "Q = np.asarray(Q, dtype=float)\ns = Q @ np.swapaxes(np.asarray(K), -1, -2) / np.sqrt(Q.shape[-1])\n"
        "if mask is not None:\n    s = np.where(mask, s, -np.inf)\n"
        "w = np.exp(s - s.max())\nreturn w / w.sum(axis=-1, keepdims=True) @ np.asarray(V)",
        "shifts the scores by the maximum of the whole array, not of each query's row",
    ),
    # 7 split_heads / merge_heads
    "heads_reshape_only": M(
        7,
        "split_heads",
        "X = np.asarray(X)\nT, d_model = X.shape\nreturn X.reshape(n_heads, T, d_model // n_heads)",
        "reshapes straight to (n_heads, T, d_head), scrambling tokens and heads",
    ),
    "heads_interleaved": M(
        7,
        "split_heads",
        "X = np.asarray(X)\nT, d_model = X.shape\nreturn X.reshape(T, d_model // n_heads, n_heads).transpose(2, 0, 1)",
        "splits as (T, d_head, H): head h gets every n_heads-th column",
    ),
    "merge_without_transpose": M(
        7,
        "merge_heads",
        "H = np.asarray(H)\nreturn H.reshape(H.shape[1], -1)",
        "reshapes (H, T, d_head) to (T, H*d_head) without moving the head axis",
    ),
    # 8 softmax_jacobian
    "jacobian_diagonal_only": M(
        8,
        "softmax_jacobian",
        "p = np.asarray(p, dtype=float)\nreturn np.diag(p * (1 - p))",
        "keeps only the diagonal p_i (1 - p_i)",
    ),
    "jacobian_sign_flipped": M(
        8,
        "softmax_jacobian",
        "p = np.asarray(p, dtype=float)\nreturn np.outer(p, p) - np.diag(p)",
        "p p^T - diag(p): the sign flipped",
    ),
    "jacobian_inner_product": M(
        8,
        "softmax_jacobian",
        "p = np.asarray(p, dtype=float)\nreturn np.diag(p) - p @ p",
        "subtracts the number p . p instead of the matrix p p^T",
    ),
    # 9 kv_cache_bytes
    "kv_prints": M(
        9,
        "kv_cache_bytes",
        "print(2 * n_layers * n_kv_heads * d_head * seq_len * batch * bytes_per_value)",
        "prints the number instead of returning it",
    ),
    "kv_no_factor_2": M(
        9,
        "kv_cache_bytes",
        "return n_layers * n_kv_heads * d_head * seq_len * batch * bytes_per_value",
        "counts only the keys (no factor 2 for K and V)",
    ),
    "kv_ignores_batch": M(
        9,
        "kv_cache_bytes",
        "return 2 * n_layers * n_kv_heads * d_head * seq_len * bytes_per_value",
        "one cache for the whole batch",
    ),
    "kv_counts_values": M(
        9,
        "kv_cache_bytes",
        "return 2 * n_layers * n_kv_heads * d_head * seq_len * batch",
        "counts numbers, not bytes (ignores bytes_per_value)",
    ),
    "kv_float": M(
        9,
        "kv_cache_bytes",
        "return 2.0 * n_layers * n_kv_heads * d_head * seq_len * batch * bytes_per_value",
        "a float, not an integer byte count",
    ),
    # 10 attention_flops
    "flops_macs": M(
        10,
        "attention_flops",
        "return 2 * seq_len ** 2 * d_model * n_layers",
        "counts a multiply-add as 1 FLOP",
    ),
    "flops_linear": M(
        10,
        "attention_flops",
        "return 4 * seq_len * d_model * n_layers",
        "linear in the context: forgets that every query meets every key",
    ),
    "flops_one_layer": M(
        10, "attention_flops", "return 4 * seq_len ** 2 * d_model", "ignores n_layers"
    ),
    "flops_float": M(
        10,
        "attention_flops",
        "return 4 * seq_len ** 2.0 * d_model * n_layers",
        "a float (seq_len ** 2.0), not an integer",
    ),
}

MISCONCEPTIONS = {name: replace(m, hint=HINTS[name]) for name, m in MISCONCEPTIONS.items()}
