"""Planted misconceptions of Embedding Space Math, exercises 6-10 (see the package docstring)."""

from __future__ import annotations

from .. import Misconception
from .entry import _m

# One entry per planted answer; formatted by hand, one line per line of the body.
# fmt: off
MISCONCEPTIONS_6_10: dict[str, Misconception] = {
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
    "sinusoid_exponent_2i": _m(7, "sinusoidal_positions",
        "pos = np.arange(n_positions)[:, None]\n"
        "i = np.arange(d_model)[None, :]\n"
        "angles = pos / np.power(10000, 2 * i / d_model)\n"
        "pe = np.zeros((n_positions, d_model))\n"
        "pe[:, 0::2] = np.sin(angles[:, 0::2])\n"
        "pe[:, 1::2] = np.cos(angles[:, 1::2])\n"
        "return pe",
        'uses 2i/d for column i instead of 2*(i//2)/d: each column its own frequency',
        'with 2*i/d_model every column gets a frequency of its own'),
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
# fmt: on
