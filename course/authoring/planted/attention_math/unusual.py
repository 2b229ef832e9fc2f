"""Correct answers to attention_math written the way students do write them (loops, float32,
einsum, numpy integers, calling earlier exercises): each must keep full points.

Runs in: the test process (tests/test_attention_math.py plants them like misconceptions).
"""

from __future__ import annotations

from .. import Misconception

# Correct answers written the way students do write them: each must earn full points.
_UNUSUAL: dict[str, tuple[int, str, str]] = {
    "scores_einsum_float32": (
        1,
        "attention_scores",
        "Q = np.asarray(Q, dtype=np.float32)\nK = np.asarray(K, dtype=np.float32)\n"
        "return np.einsum('...id,...jd->...ij', Q, K) / np.float32(np.sqrt(Q.shape[-1]))",
    ),
    "softmax_apply_along_axis": (
        2,
        "stable_softmax",
        "def one(v):\n    m = max(v)\n    e = np.array([np.exp(a - m) for a in v])\n    return e / e.sum()\n"
        "return np.apply_along_axis(one, axis, np.asarray(x, dtype=float))",
    ),
    "mask_double_loop": (
        3,
        "causal_mask",
        "return np.array([[j <= i for j in range(n)] for i in range(n)])",
    ),
    "temperature_reuses_ex2_float32": (
        4,
        "softmax_temperature",
        "return stable_softmax(np.asarray(logits, dtype=np.float32) / np.float32(T)).astype(np.float32)",
    ),
    "ce_float32": (
        5,
        "cross_entropy",
        "z = np.asarray(logits, dtype=np.float32)\nz = z - z.max(axis=1, keepdims=True)\n"
        "lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\n"
        "return float(-np.mean(lp[np.arange(z.shape[0]), np.asarray(targets)]))",
    ),
    "attention_float32": (
        6,
        "attention",
        "Q, K, V = (np.asarray(a, dtype=np.float32) for a in (Q, K, V))\n"
        "s = Q @ np.swapaxes(K, -1, -2) / np.float32(np.sqrt(Q.shape[-1]))\n"
        "if mask is not None:\n    s = np.where(mask, s, np.float32(-np.inf))\n"
        "w = np.exp(s - s.max(axis=-1, keepdims=True))\nreturn (w / w.sum(axis=-1, keepdims=True)) @ V",
    ),
    "ce_loop_logaddexp": (
        5,
        "cross_entropy",
        "total = 0.0\nfor row, t in zip(np.asarray(logits, dtype=float), targets):\n"
        "    total += np.logaddexp.reduce(row) - row[int(t)]\nreturn float(total / len(targets))",
    ),
    "attention_reuses_ex1_to_3": (
        6,
        "attention",
        "s = attention_scores(Q, K)\nif mask is not None:\n    s = np.where(mask, s, -1e30)\n"
        "return stable_softmax(s, axis=-1) @ V",
    ),
    "split_heads_loop": (
        7,
        "split_heads",
        "X = np.asarray(X)\nd_head = X.shape[1] // n_heads\n"
        "return np.stack([X[:, h * d_head:(h + 1) * d_head] for h in range(n_heads)])",
    ),
    "merge_heads_concatenate": (
        7,
        "merge_heads",
        "return np.concatenate(list(np.asarray(H)), axis=1)",
    ),
    "jacobian_loops_float32": (
        8,
        "softmax_jacobian",
        "p = np.asarray(p, dtype=np.float32)\nV = len(p)\nJ = np.zeros((V, V), dtype=np.float32)\n"
        "for i in range(V):\n    for j in range(V):\n"
        "        J[i, j] = p[i] * ((1.0 if i == j else 0.0) - p[j])\nreturn J",
    ),
    "kv_numpy_int64": (
        9,
        "kv_cache_bytes",
        "return np.prod(np.array([2, n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_value], dtype=np.int64))",
    ),
    "flops_per_matmul": (
        10,
        "attention_flops",
        "qk = 2 * seq_len * d_model * seq_len\nav = 2 * seq_len * seq_len * d_model\nreturn (qk + av) * n_layers",
    ),
}

UNUSUAL: dict[str, Misconception] = {
    name: Misconception(n, function, body, f"correct, written unusually: {name}")
    for name, (n, function, body) in _UNUSUAL.items()
}
