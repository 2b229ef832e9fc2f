"""Correct answers to backprop_math written the way students do write them (loops, einsum,
tensordot, float32, one-hot products, calling earlier exercises): each must keep full points."""

from __future__ import annotations

from course.authoring.planted import Misconception

# fmt: off
_UNUSUAL: dict[str, tuple[int, str, str]] = {
    "lin_einsum_float32": (1, "linear_backward",
        "x, W, dY = (np.asarray(a, dtype=np.float32) for a in (x, W, dY))\n"
        "dx = np.einsum('...o,io->...i', dY, W)\n"
        "dW = np.einsum('ni,no->io', x.reshape(-1, x.shape[-1]), dY.reshape(-1, dY.shape[-1]))\n"
        "return dx, dW, dY.reshape(-1, dY.shape[-1]).sum(axis=0)"),
    "lin_tensordot_lists": (1, "linear_backward",
        "x, W, dY = np.array(x, dtype=float), np.array(W, dtype=float), np.array(dY, dtype=float)\n"
        "lead = list(range(x.ndim - 1))\n"
        "dW = np.tensordot(x, dY, axes=(lead, lead))\n"
        "db = dY.sum(axis=tuple(lead)) if lead else dY.copy()\n"
        "return np.tensordot(dY, W, axes=([-1], [1])), dW, db"),
    "ce_grad_row_loop": (2, "softmax_ce_grad",
        "z = np.asarray(logits, dtype=float)\nout = []\n"
        "for row, t in zip(z, np.asarray(targets)):\n"
        "    m = max(row)\n    e = [np.exp(v - m) for v in row]\n    s = sum(e)\n"
        "    out.append([e_j / s - (1.0 if j == t else 0.0) for j, e_j in enumerate(e)])\n"
        "return np.array(out) / len(out)"),
    "ce_grad_float32_logsumexp": (2, "softmax_ce_grad",
        "z = np.asarray(logits, dtype=np.float32)\n"
        "lse = np.logaddexp.reduce(z, axis=-1, keepdims=True)\n"
        "p = np.exp(z - lse)\n"
        "onehot = np.eye(z.shape[1], dtype=np.float32)[np.asarray(targets)]\n"
        "return (p - onehot) / np.float32(z.shape[0])"),
    "ng_flat_view": (3, "numerical_gradient",
        "x = np.array(x, dtype=float)\ngrad = np.zeros(x.size)\nflat = x.reshape(-1)\n"
        "for i in range(flat.size):\n    flat[i] += eps\n    up = f(x)\n    flat[i] -= 2 * eps\n"
        "    down = f(x)\n    flat[i] += eps\n    grad[i] = (up - down) / (2 * eps)\n"
        "return grad.reshape(x.shape)"),
    "ng_fresh_copies": (3, "numerical_gradient",
        "x = np.asarray(x, dtype=float)\ngrad = np.empty_like(x)\n"
        "for idx in np.ndindex(*x.shape):\n    e = np.zeros_like(x)\n    e[idx] = eps\n"
        "    grad[idx] = (f(x + e) - f(x - e)) / (2 * eps)\nreturn grad"),
    "emb_one_hot_matmul": (4, "embedding_backward",
        "ids = np.asarray(ids).reshape(-1)\ndX = np.asarray(dX, dtype=float)\n"
        "return np.eye(vocab_size)[ids].T @ dX.reshape(len(ids), -1)"),
    "emb_python_loop_float32": (4, "embedding_backward",
        "dX = np.asarray(dX, dtype=np.float32)\nd = dX.shape[-1]\n"
        "dE = np.zeros((vocab_size, d), dtype=np.float32)\n"
        "for t, g in zip(np.ravel(ids), dX.reshape(-1, d)):\n    dE[int(t)] = dE[int(t)] + g\nreturn dE"),
    "emb_bincount": (4, "embedding_backward",
        "ids = np.asarray(ids).ravel()\ndX = np.asarray(dX, dtype=float)\nflat = dX.reshape(len(ids), -1)\n"
        "return np.stack([np.bincount(ids, weights=flat[:, j], minlength=vocab_size)"
        " for j in range(flat.shape[1])], axis=1)"),
    "gelu_sech_float32": (5, "gelu_grad",
        "x = np.asarray(x, dtype=np.float32)\nk = np.float32(np.sqrt(2 / np.pi))\n"
        "u = k * (x + np.float32(0.044715) * x**3)\n"
        "return 0.5 * (1 + np.tanh(u)) + 0.5 * x / np.cosh(u)**2 * k * (1 + np.float32(0.134145) * x**2)"),
    "rms_einsum_staged": (6, "rmsnorm_backward",
        "dy, x, g = (np.asarray(a, dtype=float) for a in (dy, x, g))\nd = x.shape[-1]\n"
        "ms = np.einsum('...i,...i->...', x, x)[..., None] / d + eps\n"
        "inv = ms ** -0.5\ndxhat = dy * g\n"
        "dms = np.einsum('...i,...i->...', dxhat, x)[..., None] * -0.5 * ms ** -1.5\n"
        "dx = dxhat * inv + dms * 2 * x / d\n"
        "return dx, np.einsum('ni->i', (dy * x * inv).reshape(-1, d))"),
    "ls_reuses_exercise_2": (7, "label_smoothing_grad",
        "z = np.asarray(logits, dtype=float)\nN, V = z.shape\n"
        "uniform = softmax(z) / N - 1.0 / (N * V)\n"
        "return (1 - smoothing) * softmax_ce_grad(z, targets) + smoothing * uniform"),
    "ln_cs231n_staged": (8, "layernorm_backward",
        "dy, x, gamma = (np.asarray(a, dtype=float) for a in (dy, x, gamma))\nd = x.shape[-1]\n"
        "mu = x.mean(axis=-1, keepdims=True)\nxc = x - mu\nvar = (xc**2).mean(axis=-1, keepdims=True)\n"
        "istd = 1 / np.sqrt(var + eps)\ndxhat = dy * gamma\n"
        "dvar = np.sum(dxhat * xc, axis=-1, keepdims=True) * -0.5 * istd**3\n"
        "dmu = -np.sum(dxhat * istd, axis=-1, keepdims=True) - 2 * dvar * xc.mean(axis=-1, keepdims=True)\n"
        "dx = dxhat * istd + dvar * 2 * xc / d + dmu / d\n"
        "lead = tuple(range(x.ndim - 1))\n"
        "return dx, np.sum(dy * xc * istd, axis=lead), np.sum(dy, axis=lead)"),
    "att_einsum": (9, "attention_backward",
        "Q, K, V, dO = (np.asarray(a, dtype=float) for a in (Q, K, V, dO))\nscale = Q.shape[-1] ** -0.5\n"
        "S = np.einsum('...qd,...kd->...qk', Q, K) * scale\n"
        "if mask is not None:\n    S = np.where(mask, S, -np.inf)\nP = softmax(S)\n"
        "dV = np.einsum('...qk,...qv->...kv', P, dO)\ndP = np.einsum('...qv,...kv->...qk', dO, V)\n"
        "dS = P * dP - P * np.einsum('...qk,...qk->...q', P, dP)[..., None]\n"
        "return (np.einsum('...qk,...kd->...qd', dS, K) * scale,\n"
        "        np.einsum('...qk,...qd->...kd', dS, Q) * scale, dV)"),
    "att_jacobian_loop": (9, "attention_backward",
        "Q, K, V, dO = (np.asarray(a, dtype=float) for a in (Q, K, V, dO))\nscale = 1 / np.sqrt(Q.shape[-1])\n"
        "S = Q @ np.swapaxes(K, -1, -2) * scale\nif mask is not None:\n    S = np.where(mask, S, -np.inf)\n"
        "P = softmax(S)\ndP = dO @ np.swapaxes(V, -1, -2)\ndS = np.zeros_like(P)\n"
        "for idx in np.ndindex(P.shape[:-1]):\n    p = P[idx]\n"
        "    dS[idx] = (np.diag(p) - np.outer(p, p)) @ dP[idx]\n"
        "return dS @ K * scale, np.swapaxes(dS, -1, -2) @ Q * scale, np.swapaxes(P, -1, -2) @ dO"),
    "mlp_composes_1_and_5": (10, "mlp_backward",
        "x = np.asarray(x, dtype=float)\nh = x @ np.asarray(W1) + b1\n"
        "da, dW2, db2 = linear_backward(gelu(h), W2, dY)\n"
        "dx, dW1, db1 = linear_backward(x, W1, da * gelu_grad(h))\n"
        "return dx, dW1, db1, dW2, db2"),
    "mlp_einsum": (10, "mlp_backward",
        "x, W1, b1, W2, dY = (np.asarray(a, dtype=float) for a in (x, W1, b1, W2, dY))\n"
        "h = np.einsum('...i,ij->...j', x, W1) + b1\nc = np.sqrt(2 / np.pi)\n"
        "t = np.tanh(c * (h + 0.044715 * h**3))\n"
        "dh = np.einsum('...o,jo->...j', dY, W2) * (0.5 * (1 + t) + 0.5 * h * (1 - t * t) * c * (1 + 0.134145 * h * h))\n"
        "flat = lambda m: m.reshape(-1, m.shape[-1])\n"
        "return (np.einsum('...j,ij->...i', dh, W1), np.einsum('ni,nj->ij', flat(x), flat(dh)),\n"
        "        np.einsum('nj->j', flat(dh)), np.einsum('nj,no->jo', flat(gelu(h)), flat(dY)),\n"
        "        np.einsum('no->o', flat(dY)))"),
}
# fmt: on

UNUSUAL: dict[str, Misconception] = {
    name: Misconception(n, function, body, "a correct answer written unusually")
    for name, (n, function, body) in _UNUSUAL.items()
}
