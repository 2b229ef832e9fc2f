"""Misconceptions of backprop_math, exercises 6-10 (the normalisation, attention and MLP backward
passes): each body replaces one function's solution region; `hint` is the full hint the notebook
prints for exactly this mistake. The hints name the cause, never the code of the fix."""

from __future__ import annotations

from course.authoring.planted import Misconception

_RMS = (
    "dy, x, g = (np.asarray(a, dtype=float) for a in (dy, x, g))\n"
    "r = np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps)\nxhat = x / r\ndxhat = dy * g\n"
)
_LN = (
    "dy, x, gamma = (np.asarray(a, dtype=float) for a in (dy, x, gamma))\nd = x.shape[-1]\n"
    "std = np.sqrt(x.var(axis=-1, keepdims=True) + eps)\nxhat = (x - x.mean(axis=-1, keepdims=True)) / std\n"
    "dxhat = dy * gamma\n"
)
_LN_DX = (
    "dx = (dxhat - dxhat.mean(axis=-1, keepdims=True)"
    " - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True)) / std\n"
)
_LN_PARAMS = "return dx, (dy * xhat).reshape(-1, d).sum(axis=0), dy.reshape(-1, d).sum(axis=0)"
_ATT = (
    "Q, K, V, dO = (np.asarray(a, dtype=float) for a in (Q, K, V, dO))\nscale = 1 / np.sqrt(Q.shape[-1])\n"
    "S = Q @ np.swapaxes(K, -1, -2) * scale\nif mask is not None:\n    S = np.where(mask, S, -np.inf)\n"
    "P = softmax(S)\ndP = dO @ np.swapaxes(V, -1, -2)\n"
)
_ATT_DS = "dS = P * (dP - np.sum(dP * P, axis=-1, keepdims=True))\n"
_ATT_DV = "dV = np.swapaxes(P, -1, -2) @ dO\n"
_MLP = (
    "x, W1, b1, W2, dY = (np.asarray(a, dtype=float) for a in (x, W1, b1, W2, dY))\n"
    "c = np.sqrt(2 / np.pi)\nh = x @ W1 + b1\na = gelu(h)\n"
    "def slope(u):\n    t = np.tanh(c * (u + 0.044715 * u**3))\n"
    "    return 0.5 * (1 + t) + 0.5 * u * (1 - t**2) * c * (1 + 0.134145 * u**2)\n"
    "flat = lambda m: m.reshape(-1, m.shape[-1])\n"
)
_MLP_END = "return dh @ W1.T, flat(x).T @ flat(dh), flat(dh).sum(axis=0), flat(a).T @ flat(dY), flat(dY).sum(axis=0)"

# fmt: off
WRONG_6_10: dict[str, Misconception] = {
    # Exercise 6: rmsnorm_backward
    "rms_r_constant": Misconception(6, "rmsnorm_backward",
        _RMS + "return dxhat / r, (dy * xhat).reshape(-1, x.shape[-1]).sum(axis=0)",
        "treats the RMS r as a constant: dx = dy g / r",
        "r depends on x too: every entry of a row changes that row's r, which adds a second term to dx"),
    "rms_dg_not_summed": Misconception(6, "rmsnorm_backward",
        _RMS + "dx = (dxhat - xhat * np.mean(dxhat * xhat, axis=-1, keepdims=True)) / r\nreturn dx, dy * xhat",
        "returns dg per row, without summing over the leading axes",
        "g is shared by every row: dg has g's shape (d,), the sum of every row's contribution"),
    "rms_no_eps": Misconception(6, "rmsnorm_backward",
        "dy, x, g = (np.asarray(a, dtype=float) for a in (dy, x, g))\n"
        "r = np.sqrt(np.mean(x**2, axis=-1, keepdims=True))\nxhat = x / r\ndxhat = dy * g\n"
        "dx = (dxhat - xhat * np.mean(dxhat * xhat, axis=-1, keepdims=True)) / r\n"
        "return dx, (dy * xhat).reshape(-1, x.shape[-1]).sum(axis=0)",
        "drops eps from the backward pass",
        "the forward pass adds eps under the square root (here eps = 0.5): the backward pass must use the same r"),
    "rms_sum_not_mean": Misconception(6, "rmsnorm_backward",
        _RMS + "dx = dxhat / r - x * np.sum(dxhat * x, axis=-1, keepdims=True) / r**3\n"
        "return dx, (dy * xhat).reshape(-1, x.shape[-1]).sum(axis=0)",
        "differentiates r as if it were sqrt(sum x^2): loses the 1/d of the mean",
        "r is the root of a MEAN over d entries: its derivative carries a factor 1/d"),
    "rms_dg_raw_x": Misconception(6, "rmsnorm_backward",
        _RMS + "dx = (dxhat - xhat * np.mean(dxhat * xhat, axis=-1, keepdims=True)) / r\n"
        "return dx, (dy * x).reshape(-1, x.shape[-1]).sum(axis=0)",
        "dg = sum dy * x, with the raw x instead of the normalised one",
        "g multiplies the NORMALISED x, so dg weighs dy by x / r, not by x"),
    # Exercise 7: label_smoothing_grad
    "ls_v_minus_1": Misconception(7, "label_smoothing_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nN, V = z.shape\n"
        "q = np.full((N, V), smoothing / (V - 1))\nq[np.arange(N), t] = 1 - smoothing\n"
        "return (softmax(z) - q) / N",
        "spreads s over the V - 1 other tokens (the other convention)",
        "q here is (1 - s) onehot + s / V: the uniform part covers all V tokens, the target included"),
    "ls_no_one_minus_s": Misconception(7, "label_smoothing_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nN, V = z.shape\n"
        "q = np.full((N, V), smoothing / V)\nq[np.arange(N), t] += 1\nreturn (softmax(z) - q) / N",
        "adds s / V to the one-hot without scaling it by 1 - s",
        "q must be a distribution (sum 1): the one-hot part is scaled down by 1 - s"),
    "ls_sum": Misconception(7, "label_smoothing_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nN, V = z.shape\n"
        "q = np.full((N, V), smoothing / V)\nq[np.arange(N), t] += 1 - smoothing\nreturn softmax(z) - q",
        "gradient of the summed loss: forgets 1/N",
        "the loss averages over the N rows"),
    "ls_ignores_smoothing": Misconception(7, "label_smoothing_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nN, V = z.shape\n"
        "q = np.zeros((N, V))\nq[np.arange(N), t] = 1\nreturn (softmax(z) - q) / N",
        "ignores the smoothing argument (plain cross-entropy)",
        "that is the unsmoothed gradient of Exercise 2: the smoothing argument changes the target"),
    "ls_smooth_predictions": Misconception(7, "label_smoothing_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\nN, V = z.shape\n"
        "q = np.zeros((N, V))\nq[np.arange(N), t] = 1\n"
        "return ((1 - smoothing) * softmax(z) + smoothing / V - q) / N",
        "smooths the predicted probabilities instead of the target",
        "smoothing acts on the target distribution q; the model's p = softmax(logits) is left as it is"),
    # Exercise 8: layernorm_backward
    "ln_constants": Misconception(8, "layernorm_backward",
        _LN + "dx = dxhat / std\n" + _LN_PARAMS,
        "treats the mean and the variance as constants",
        "the mean and the variance are functions of x too: each adds a term that couples the entries of a row"),
    "ln_no_mean_term": Misconception(8, "layernorm_backward",
        _LN + "dx = (dxhat - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True)) / std\n" + _LN_PARAMS,
        "keeps the variance's term but drops the mean's",
        "x - mean(x) also depends on x: the path through the mean is missing (dx of a row must sum to 0)"),
    "ln_no_var_term": Misconception(8, "layernorm_backward",
        _LN + "dx = (dxhat - dxhat.mean(axis=-1, keepdims=True)) / std\n" + _LN_PARAMS,
        "keeps the mean's term but drops the variance's",
        "the variance depends on x: the path through sqrt(var + eps) is missing"),
    "ln_unbiased_var": Misconception(8, "layernorm_backward",
        "dy, x, gamma = (np.asarray(a, dtype=float) for a in (dy, x, gamma))\nd = x.shape[-1]\n"
        "std = np.sqrt(x.var(axis=-1, ddof=1, keepdims=True) + eps)\n"
        "xhat = (x - x.mean(axis=-1, keepdims=True)) / std\ndxhat = dy * gamma\n" + _LN_DX + _LN_PARAMS,
        "uses the unbiased variance (ddof=1)",
        "LayerNorm's variance is the biased one, divided by d (ddof=0)"),
    "ln_params_swapped": Misconception(8, "layernorm_backward",
        _LN + _LN_DX + "return dx, dy.reshape(-1, d).sum(axis=0), (dy * xhat).reshape(-1, d).sum(axis=0)",
        "returns dbeta where dgamma belongs and vice versa",
        "gamma scales x-hat and beta is added: which one's gradient involves x-hat?"),
    "ln_params_first_axis": Misconception(8, "layernorm_backward",
        _LN + _LN_DX + "return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)",
        "sums dgamma and dbeta over axis 0 only",
        "gamma and beta are shared by every batch element and position: sum over every leading axis"),
    # Exercise 9: attention_backward
    "att_plain_transpose": Misconception(9, "attention_backward",
        "Q, K, V, dO = (np.asarray(a, dtype=float) for a in (Q, K, V, dO))\nscale = 1 / np.sqrt(Q.shape[-1])\n"
        "S = Q @ K.T * scale\nif mask is not None:\n    S = np.where(mask, S, -np.inf)\n"
        "P = softmax(S)\ndP = dO @ V.T\ndV = P.T @ dO\n" + _ATT_DS + "return dS @ K * scale, dS.T @ Q * scale, dV",
        ".T on batched arrays reverses the batch axes too",
        "with batch axes (..., n, d), .T reverses ALL the axes: transpose the last two only"),
    "att_softmax_diagonal": Misconception(9, "attention_backward",
        _ATT + _ATT_DV + "dS = P * (1 - P) * dP\n"
        "return dS @ K * scale, np.swapaxes(dS, -1, -2) @ Q * scale, dV",
        "uses only the diagonal of the softmax Jacobian, p (1 - p)",
        "each weight of a row depends on every score of the row: the softmax Jacobian is not diagonal"),
    "att_no_scale": Misconception(9, "attention_backward",
        _ATT + _ATT_DV + _ATT_DS + "return dS @ K, np.swapaxes(dS, -1, -2) @ Q, dV",
        "forgets the 1/sqrt(d) of the scores in dQ and dK",
        "the scores are Q K^T / sqrt(d): the scale is part of the chain to Q and K"),
    "att_dK_untransposed": Misconception(9, "attention_backward",
        _ATT + _ATT_DV + _ATT_DS + "return dS @ K * scale, dS @ Q * scale, dV",
        "dK = dS Q (rows of dS are queries, not keys)",
        "dK needs one row per KEY: the rows of dS index queries"),
    "att_mask_forgotten": Misconception(9, "attention_backward",
        "Q, K, V, dO = (np.asarray(a, dtype=float) for a in (Q, K, V, dO))\nscale = 1 / np.sqrt(Q.shape[-1])\n"
        "P = softmax(Q @ np.swapaxes(K, -1, -2) * scale)\ndP = dO @ np.swapaxes(V, -1, -2)\n"
        + _ATT_DV + _ATT_DS + "return dS @ K * scale, np.swapaxes(dS, -1, -2) @ Q * scale, dV",
        "recomputes the attention weights without the mask",
        "the backward pass must use the same (masked) weights as the forward pass"),
    "att_dV_untransposed": Misconception(9, "attention_backward",
        _ATT + "dV = P @ dO\n" + _ATT_DS + "return dS @ K * scale, np.swapaxes(dS, -1, -2) @ Q * scale, dV",
        "dV = P dO instead of P^T dO",
        "dV needs one row per key (value): the rows of P index queries"),
    # Exercise 10: mlp_backward
    "mlp_gelu_at_output": Misconception(10, "mlp_backward",
        _MLP + "dh = (dY @ W2.T) * slope(a)\n" + _MLP_END,
        "evaluates GELU's derivative at its output instead of its input",
        "GELU's slope must be taken where GELU was applied: at its input, the pre-activation"),
    "mlp_no_gelu": Misconception(10, "mlp_backward",
        _MLP + "dh = dY @ W2.T\n" + _MLP_END,
        "passes the gradient through GELU as if it were the identity",
        "the gradient crosses GELU on its way to W1: it is multiplied by GELU's slope"),
    "mlp_relu_slope": Misconception(10, "mlp_backward",
        _MLP + "dh = (dY @ W2.T) * (h > 0)\n" + _MLP_END,
        "uses ReLU's 0/1 slope for GELU",
        "GELU is smooth, not ReLU: its slope is not 0 or 1 (negative inputs still pass some gradient)"),
    "mlp_dW2_preactivation": Misconception(10, "mlp_backward",
        _MLP + "dh = (dY @ W2.T) * slope(h)\n"
        "return dh @ W1.T, flat(x).T @ flat(dh), flat(dh).sum(axis=0), flat(h).T @ flat(dY), flat(dY).sum(axis=0)",
        "dW2 from the pre-activation h instead of GELU's output",
        "W2 multiplies what comes OUT of GELU, so dW2 pairs dY with that"),
    "mlp_batch_kept": Misconception(10, "mlp_backward",
        _MLP + "dh = (dY @ W2.T) * slope(h)\n"
        "return dh @ W1.T, np.swapaxes(x, -1, -2) @ dh, dh.sum(axis=-2), np.swapaxes(a, -1, -2) @ dY, dY.sum(axis=-2)",
        "parameter gradients keep the batch axis",
        "one set of weights serves every batch element: parameter gradients sum over every leading axis"),
}
# fmt: on
