"""Misconceptions of backprop_math, exercises 1-5 (★ and the first ★★): each body replaces one
function's solution region; `hint` is the full hint the notebook prints for exactly this mistake
(the notebook's mistakes= dictionaries were written from these bodies)."""

from __future__ import annotations

from course.authoring.planted import Misconception

# One entry per planted answer; formatted by hand, one line per line of the body.
# fmt: off
WRONG_1_5: dict[str, Misconception] = {
    # Exercise 1: linear_backward
    "lin_dW_transposed": Misconception(1, "linear_backward",
        "x = np.asarray(x, dtype=float)\ndY = np.asarray(dY, dtype=float)\n"
        "x2, dY2 = x.reshape(-1, x.shape[-1]), dY.reshape(-1, dY.shape[-1])\n"
        "return dY @ np.asarray(W).T, dY2.T @ x2, dY2.sum(axis=0)",
        "dW = dY^T x: the transpose of the weight gradient",
        "dW has the shape of W, (d_in, d_out): x's features index its rows, dY's its columns"),
    "lin_dx_times_W": Misconception(1, "linear_backward",
        "x = np.asarray(x, dtype=float)\ndY = np.asarray(dY, dtype=float)\n"
        "x2, dY2 = x.reshape(-1, x.shape[-1]), dY.reshape(-1, dY.shape[-1])\n"
        "return dY @ np.asarray(W), x2.T @ dY2, dY2.sum(axis=0)",
        "dx = dY W instead of dY W^T (only runs when W is square)",
        "dx must have x's shape (..., d_in) while dY has d_out columns: which way does W map between them?"),
    "lin_db_mean": Misconception(1, "linear_backward",
        "x = np.asarray(x, dtype=float)\ndY = np.asarray(dY, dtype=float)\n"
        "x2, dY2 = x.reshape(-1, x.shape[-1]), dY.reshape(-1, dY.shape[-1])\n"
        "return dY @ np.asarray(W).T, x2.T @ dY2, dY2.mean(axis=0)",
        "averages db over the rows instead of summing",
        "b is added to every row, so every row's gradient reaches it: db sums over the rows, it does not average"),
    "lin_batch_kept": Misconception(1, "linear_backward",
        "x = np.asarray(x, dtype=float)\ndY = np.asarray(dY, dtype=float)\n"
        "return dY @ np.asarray(W).T, np.swapaxes(x, -1, -2) @ dY, dY.sum(axis=-2)",
        "sums over the rows of each batch element only: dW keeps the batch axis",
        "one W serves every batch element and position: dW sums over every leading axis and has W's shape"),
    "lin_db_first_axis": Misconception(1, "linear_backward",
        "x = np.asarray(x, dtype=float)\ndY = np.asarray(dY, dtype=float)\n"
        "x2, dY2 = x.reshape(-1, x.shape[-1]), dY.reshape(-1, dY.shape[-1])\n"
        "return dY @ np.asarray(W).T, x2.T @ dY2, dY.sum(axis=0)",
        "db sums over the first axis only",
        "db has b's shape (d_out,): sum over every leading axis (batch and time), not only axis 0"),
    # Exercise 2: softmax_ce_grad
    "ce_grad_sum": Misconception(2, "softmax_ce_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\n"
        "e = np.exp(z - z.max(axis=-1, keepdims=True))\np = e / e.sum(axis=-1, keepdims=True)\n"
        "p[np.arange(len(t)), t] -= 1.0\nreturn p",
        "gradient of the summed loss: forgets the 1/N of the mean",
        "the loss is the MEAN over the N rows, so each row's gradient carries a factor 1/N"),
    "ce_grad_sign": Misconception(2, "softmax_ce_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\n"
        "e = np.exp(z - z.max(axis=-1, keepdims=True))\np = e / e.sum(axis=-1, keepdims=True)\n"
        "y = np.zeros_like(p)\ny[np.arange(len(t)), t] = 1.0\nreturn (y - p) / len(t)",
        "onehot - p: the sign of the gradient is flipped",
        "the sign is flipped: raising the target's logit LOWERS the loss, so its gradient entry is negative"),
    "ce_grad_no_onehot": Misconception(2, "softmax_ce_grad",
        "z = np.asarray(logits, dtype=float)\n"
        "e = np.exp(z - z.max(axis=-1, keepdims=True))\nreturn e / e.sum(axis=-1, keepdims=True) / len(z)",
        "returns softmax / N: forgets the one-hot of the target",
        "the target matters: its entry of the gradient differs from the others (each row sums to 0)"),
    "ce_grad_column_index": Misconception(2, "softmax_ce_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\n"
        "e = np.exp(z - z.max(axis=-1, keepdims=True))\np = e / e.sum(axis=-1, keepdims=True)\n"
        "p[:, t] -= 1.0\nreturn p / len(t)",
        "p[:, t] -= 1 subtracts every row's target from every row",
        "p[:, targets] hits every target column in EVERY row: each row n subtracts 1 only at its own targets[n]"),
    "ce_grad_unstable": Misconception(2, "softmax_ce_grad",
        "z = np.asarray(logits, dtype=float)\nt = np.asarray(targets).astype(int)\n"
        "e = np.exp(z)\np = e / e.sum(axis=-1, keepdims=True)\n"
        "p[np.arange(len(t)), t] -= 1.0\nreturn p / len(t)",
        "exp of raw logits overflows at 1e4 (no max shift)",
        "exp(1e4) overflows to inf and inf / inf is nan: shift each row by its largest logit first"),
    # Exercise 3: numerical_gradient
    "ng_forward_difference": Misconception(3, "numerical_gradient",
        "x = np.array(x, dtype=float)\ngrad = np.zeros_like(x)\nbase = float(f(x))\n"
        "for idx in np.ndindex(x.shape):\n    old = x[idx]\n    x[idx] = old + eps\n"
        "    grad[idx] = (float(f(x)) - base) / eps\n    x[idx] = old\nreturn grad",
        "forward differences (f(x + eps) - f(x)) / eps: error O(eps), not O(eps^2)",
        "a one-sided difference is off by about eps f''/2: step both ways, f(x + eps e_i) and f(x - eps e_i)"),
    "ng_divide_by_eps": Misconception(3, "numerical_gradient",
        "x = np.array(x, dtype=float)\ngrad = np.zeros_like(x)\n"
        "for idx in np.ndindex(x.shape):\n    old = x[idx]\n    x[idx] = old + eps\n    up = float(f(x))\n"
        "    x[idx] = old - eps\n    down = float(f(x))\n    x[idx] = old\n    grad[idx] = (up - down) / eps\n"
        "return grad",
        "central difference divided by eps instead of 2 eps",
        "twice the slope: x + eps and x - eps are 2 eps apart"),
    "ng_fixed_eps": Misconception(3, "numerical_gradient",
        "x = np.array(x, dtype=float)\ngrad = np.zeros_like(x)\n"
        "for idx in np.ndindex(x.shape):\n    old = x[idx]\n    x[idx] = old + 1e-6\n    up = float(f(x))\n"
        "    x[idx] = old - 1e-6\n    down = float(f(x))\n    x[idx] = old\n    grad[idx] = (up - down) / 2e-6\n"
        "return grad",
        "hard-codes the step 1e-6 and ignores eps",
        "this check passes eps=0.1: use the eps argument, not a fixed step"),
    "ng_in_place": Misconception(3, "numerical_gradient",
        "x = np.asarray(x, dtype=float)\ngrad = np.zeros_like(x)\n"
        "for idx in np.ndindex(x.shape):\n    x[idx] += eps\n    up = float(f(x))\n"
        "    x[idx] -= 2 * eps\n    down = float(f(x))\n    grad[idx] = (up - down) / (2 * eps)\n"
        "return grad",
        "perturbs the caller's array and never puts the entries back",
        "the caller's array must not change"),
    "ng_rows_not_entries": Misconception(3, "numerical_gradient",
        "x = np.array(x, dtype=float)\ngrad = np.zeros_like(x)\n"
        "for i in range(len(x)):\n    old = x[i].copy()\n    x[i] = old + eps\n    up = float(f(x))\n"
        "    x[i] = old - eps\n    down = float(f(x))\n    x[i] = old\n    grad[i] = (up - down) / (2 * eps)\n"
        "return grad",
        "loops over x[i], which is a whole row when x is 2-D",
        "for a 2-D x, x[i] is a whole row: nudge ONE entry at a time, whatever the shape (np.ndindex)"),
    "ng_int_copy": Misconception(3, "numerical_gradient",
        "x = np.copy(x)\ngrad = np.zeros(x.shape)\n"
        "for idx in np.ndindex(x.shape):\n    old = x[idx]\n    x[idx] = old + eps\n    up = float(f(x))\n"
        "    x[idx] = old - eps\n    down = float(f(x))\n    x[idx] = old\n    grad[idx] = (up - down) / (2 * eps)\n"
        "return grad",
        "np.copy keeps an integer dtype: x + eps is truncated back to x",
        "x holds integers here: a copy of it keeps the int dtype, so x + eps is stored truncated; copy as floats"),
    # Exercise 4: embedding_backward
    "emb_lost_update": Misconception(4, "embedding_backward",
        "ids = np.asarray(ids)\ndX = np.asarray(dX, dtype=float)\n"
        "dE = np.zeros((vocab_size, dX.shape[-1]))\ndE[ids] += dX\nreturn dE",
        "dE[ids] += dX: a repeated id keeps only its last gradient (the lost update)",
        "a repeated id must collect the gradient of EVERY position: dE[ids] += dX writes each row once"),
    "emb_vocab_from_ids": Misconception(4, "embedding_backward",
        "ids = np.asarray(ids)\ndX = np.asarray(dX, dtype=float)\n"
        "dE = np.zeros((ids.max() + 1, dX.shape[-1]))\n"
        "np.add.at(dE, ids.reshape(-1), dX.reshape(-1, dX.shape[-1]))\nreturn dE",
        "sizes dE by the largest id instead of vocab_size",
        "dE has one row per vocabulary token, vocab_size rows, even for tokens absent from the batch"),
    "emb_transposed": Misconception(4, "embedding_backward",
        "ids = np.asarray(ids).reshape(-1)\ndX = np.asarray(dX, dtype=float)\n"
        "onehot = np.eye(vocab_size)[ids]\nreturn dX.reshape(len(ids), -1).T @ onehot",
        "dX^T one_hot: the transpose of the table's gradient",
        "dE has the shape of E, (vocab_size, d): one row per token"),
    "emb_loop_1d": Misconception(4, "embedding_backward",
        "dX = np.asarray(dX, dtype=float)\ndE = np.zeros((vocab_size, dX.shape[-1]))\n"
        "for i, t in enumerate(np.ravel(ids)):\n    dE[t] += dX[i]\nreturn dE",
        "flattens ids but not dX: only works for a 1-D sequence",
        "ids of shape (B, T) give dX of shape (B, T, d): flatten dX the same way as ids"),
    "emb_average_repeats": Misconception(4, "embedding_backward",
        "ids = np.asarray(ids).reshape(-1)\ndX = np.asarray(dX, dtype=float)\nd = dX.shape[-1]\n"
        "dE = np.zeros((vocab_size, d))\nnp.add.at(dE, ids, dX.reshape(-1, d))\n"
        "counts = np.bincount(ids, minlength=vocab_size)\nreturn dE / np.maximum(counts, 1)[:, None]",
        "averages the gradients of a repeated id instead of summing them",
        "a token used twice influences the loss twice: its gradients add up, they are not averaged"),
    # Exercise 5: gelu_grad
    "gelu_no_product_rule": Misconception(5, "gelu_grad",
        "x = np.asarray(x, dtype=float)\n"
        "return 0.5 * (1.0 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))",
        "differentiates 0.5 x (1 + tanh u) as 0.5 (1 + tanh u): forgets the product rule",
        "GELU is x times a function of x: the product rule gives two terms"),
    "gelu_no_inner_chain": Misconception(5, "gelu_grad",
        "x = np.asarray(x, dtype=float)\nc = np.sqrt(2 / np.pi)\nt = np.tanh(c * (x + 0.044715 * x**3))\n"
        "return 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * c",
        "forgets the derivative of the cubic inside tanh",
        "the chain rule through tanh(u) needs du/dx, and u has a cubic term"),
    "gelu_tanh_prime": Misconception(5, "gelu_grad",
        "x = np.asarray(x, dtype=float)\nc = np.sqrt(2 / np.pi)\nt = np.tanh(c * (x + 0.044715 * x**3))\n"
        "return 0.5 * (1 + t) + 0.5 * x * (1 - t) * c * (1 + 3 * 0.044715 * x**2)",
        "uses 1 - tanh for the derivative of tanh",
        "the derivative of tanh(u) is 1 - tanh(u)^2 (sech^2 u)"),
    "gelu_erf": Misconception(5, "gelu_grad",
        "from math import erf\nx = np.asarray(x, dtype=float)\n"
        "Phi = 0.5 * (1 + np.vectorize(erf)(x / np.sqrt(2)))\n"
        "return Phi + x * np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)",
        "the exact (erf) GELU's derivative instead of the tanh approximation's",
        "that is the derivative of the exact erf GELU; this exercise (like GPT-2) uses the tanh approximation"),
    "gelu_returns_gelu": Misconception(5, "gelu_grad",
        "x = np.asarray(x, dtype=float)\n"
        "return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))",
        "returns GELU itself, not its derivative",
        "these are GELU's values, not its slopes: differentiate"),
}
# fmt: on
