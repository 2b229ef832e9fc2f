"""Honest answers to exercises 6-10 of Embedding Space Math, in varied styles (see the package
docstring)."""

from __future__ import annotations

import random

from .styles_1_5 import pick


def output_row_grad(rng: random.Random) -> str:
    prep = rng.choice(
        [
            "",
            "p = np.asarray(p, dtype=float)\n",
            "p = np.asarray(p, dtype=float)\nh = np.asarray(h, dtype=float)\n",
            "p, h = np.asarray(p), np.asarray(h)\n",
        ]
    )
    err = rng.choice(
        [
            "g = p.copy()\ng[y] -= 1",
            "g = p.copy()\ng[y] = g[y] - 1.0",
            "e = np.zeros_like(p)\ne[y] = 1.0\ng = p - e",
            "g = p - np.eye(len(p))[y]",
            "target = np.zeros(p.shape[0])\ntarget[y] = 1\ng = p - target",
            "g = np.array(p, dtype=float)\ng[y] -= 1.0",
        ]
    )
    if rng.random() < 0.25:
        loop = rng.choice(
            [
                "G = np.zeros((len(p), len(h)))",
                "G = np.zeros((p.shape[0], h.shape[0]))",
                "G = np.empty((len(p), len(h)))",
            ]
        )
        return prep + err + f"\n{loop}\nfor i in range(len(g)):\n    G[i] = g[i] * h\nreturn G"
    ret = rng.choice(
        [
            "return np.outer(g, h)",
            "return g[:, None] * h[None, :]",
            "return g.reshape(-1, 1) @ h.reshape(1, -1)",
            "return np.einsum('i,j->ij', g, h)",
            "return g[:, np.newaxis] * h",
        ]
    )
    return prep + err + "\n" + ret


def sinusoidal_positions(rng: random.Random) -> str:
    n, d = "n_positions", "d_model"
    if rng.random() < 0.3:
        rate = rng.choice(
            [
                f"10000 ** (i / {d})",
                f"np.power(10000.0, i / {d})",
                f"10000 ** (2 * (i // 2) / {d})",
                f"np.exp(np.log(10000.0) * i / {d})",
                f"(10000.0 ** (1 / {d})) ** i",
            ]
        )
        make = rng.choice(
            [f"P = np.zeros(({n}, {d}))", f"P = np.empty(({n}, {d}))", f"P = np.zeros([{n}, {d}])"]
        )
        outer = rng.choice([f"for pos in range({n}):", f"for pos in np.arange({n}):"])
        angle = rng.choice([f"angle = pos / {rate}", f"angle = pos * (1.0 / {rate})"])
        if rng.random() < 0.5:
            put = rng.choice(
                [
                    "        P[pos, i] = np.sin(angle) if i % 2 == 0 else np.cos(angle)",
                    "        if i % 2 == 0:\n            P[pos, i] = np.sin(angle)\n        else:\n            P[pos, i] = np.cos(angle)",
                ]
            )
            return f"{make}\n{outer}\n    for i in range({d}):\n        {angle}\n{put}\nreturn P"
        put = rng.choice(
            [
                f"        P[pos, i] = np.sin(angle)\n        if i + 1 < {d}:\n            P[pos, i + 1] = np.cos(angle)",
                "        P[pos, i] = np.sin(angle)\n        if i + 1 < P.shape[1]:\n            P[pos, i + 1] = np.cos(angle)",
            ]
        )
        return f"{make}\n{outer}\n    for i in range(0, {d}, 2):\n        {angle}\n{put}\nreturn P"
    pos = rng.choice(
        [
            f"np.arange({n})[:, None]",
            f"np.arange({n}).reshape(-1, 1)",
            f"np.arange({n}, dtype=float)[:, np.newaxis]",
        ]
    )
    i = rng.choice(
        [f"np.arange(0, {d}, 2)", f"np.arange({d} // 2) * 2", f"2 * np.arange(({d} + 1) // 2)"]
    )
    rate = rng.choice(
        [
            f"1.0 / 10000 ** (i / {d})",
            f"np.exp(-np.log(10000.0) * i / {d})",
            f"np.power(10000.0, -i / {d})",
        ]
    )
    fill = rng.choice(
        [
            f"P[:, 0::2] = np.sin(angles)\nP[:, 1::2] = np.cos(angles[:, : {d} // 2])",
            "P[:, ::2] = np.sin(angles)\nP[:, 1::2] = np.cos(angles)[:, : P[:, 1::2].shape[1]]",
        ]
    )
    make = rng.choice(
        [
            f"P = np.zeros(({n}, {d}))",
            f"P = np.empty(({n}, {d}))",
            f"P = np.zeros(({n}, {d}), dtype=float)",
        ]
    )
    ang = rng.choice(
        [
            "angles = pos * rates",
            "angles = pos * rates[None, :]",
            "angles = np.outer(pos.ravel(), rates)",
        ]
    )
    return f"pos = {pos}\ni = {i}\nrates = {rate}\n{ang}\n{make}\n{fill}\nreturn P"


def rope_rotate(rng: random.Random) -> str:
    prep = rng.choice(
        [
            "x = np.asarray(x, dtype=float)\n",
            "x = np.array(x, dtype=float)\n",
            "x = x.astype(float)\n",
            "",
        ]
    )
    dim = rng.choice(["d = x.shape[0]\n", "d = len(x)\n", "d = x.size\n"])
    out = rng.choice(
        [
            "out = np.empty_like(x)\n",
            "out = np.zeros(d)\n",
            "out = x.copy()\n",
            "out = np.zeros_like(x, dtype=float)\n",
        ]
    )
    cs = rng.choice(
        ["c, s = np.cos(theta), np.sin(theta)\n", "c = np.cos(theta)\ns = np.sin(theta)\n"]
    )
    theta = rng.choice(
        [
            "position / base ** (k / d)",
            "position * base ** (-k / d)",
            "position / np.power(base, k / d)",
            "position * np.exp(-np.log(base) * k / d)",
        ]
    )
    shape = rng.randrange(3)
    if shape == 0:
        k = rng.choice(
            ["k = np.arange(0, d, 2)\n", "k = 2 * np.arange(d // 2)\n", "k = np.arange(d)[::2]\n"]
        )
        pair = rng.choice(
            [
                "a, b = x[0::2], x[1::2]\n",
                "a = x[::2]\nb = x[1::2]\n",
                "even, odd = x[::2], x[1::2]\n",
            ]
        )
        a, b = ("even", "odd") if "even" in pair else ("a", "b")
        upd = rng.choice(
            [
                f"out[0::2] = {a} * c - {b} * s\nout[1::2] = {a} * s + {b} * c",
                f"out[::2] = c * {a} - s * {b}\nout[1::2] = s * {a} + c * {b}",
                f"out[0::2], out[1::2] = {a} * c - {b} * s, {a} * s + {b} * c",
            ]
        )
        return prep + dim + k + f"theta = {theta}\n" + pair + cs + out + upd + "\nreturn out"
    if shape == 1:
        loop = rng.choice(
            [
                "for k in range(0, d, 2):\n",
                "for j in range(d // 2):\n    k = 2 * j\n",
                "for k in range(d)[::2]:\n",
            ]
        )
        upd = rng.choice(
            [
                "    out[k] = c * x[k] - s * x[k + 1]\n    out[k + 1] = s * x[k] + c * x[k + 1]",
                "    out[k], out[k + 1] = c * x[k] - s * x[k + 1], s * x[k] + c * x[k + 1]",
                "    a, b = x[k], x[k + 1]\n    out[k] = a * c - b * s\n    out[k + 1] = a * s + b * c",
                "    R = np.array([[c, -s], [s, c]])\n    out[k : k + 2] = R @ x[k : k + 2]",
            ]
        )
        return (
            prep
            + dim
            + out
            + loop
            + f"    theta = {theta}\n"
            + "".join("    " + ln + "\n" for ln in cs.strip().split("\n"))
            + upd
            + "\nreturn out"
        )
    return (
        prep
        + dim
        + rng.choice(
            [
                "z = x[0::2] + 1j * x[1::2]\n",
                "z = x[::2] + x[1::2] * 1j\n",
                "z = np.array(x[0::2], dtype=complex) + 1j * x[1::2]\n",
            ]
        )
        + rng.choice(["k = np.arange(0, d, 2)\n", "k = 2 * np.arange(d // 2)\n"])
        + f"angles = {theta}\n"
        + rng.choice(
            [
                "z = z * np.exp(1j * angles)\n",
                "z *= np.exp(1j * angles)\n",
                "z = z * (np.cos(angles) + 1j * np.sin(angles))\n",
            ]
        )
        + out
        + rng.choice(
            [
                "out[0::2], out[1::2] = z.real, z.imag",
                "out[0::2] = z.real\nout[1::2] = z.imag",
                "out[::2] = np.real(z)\nout[1::2] = np.imag(z)",
            ]
        )
        + "\nreturn out"
    )


def alibi_bias(rng: random.Random) -> str:
    idx = rng.choice(
        [
            "i = np.arange(n)[:, None]\nj = np.arange(n)[None, :]",
            "i, j = np.indices((n, n))",
            "i, j = np.meshgrid(np.arange(n), np.arange(n), indexing='ij')",
            "r = np.arange(n)\ni, j = r[:, None], r[None, :]",
        ]
    )
    shape = rng.randrange(3)
    if shape == 0:
        return (
            idx
            + "\n"
            + rng.choice(
                [
                    "return np.where(j <= i, slope * (i - j), 0.0)",
                    "B = slope * (i - j)\nB[j > i] = 0\nreturn B.astype(float)",
                    "return slope * (i - j) * (j <= i)",
                    "return np.tril(slope * (i - j)).astype(float)",
                ]
            )
        )
    if shape == 1:
        init = rng.choice(
            ["B = np.zeros((n, n))", "B = np.zeros((n, n), dtype=float)", "B = np.zeros([n, n])"]
        )
        inner = rng.choice(
            [
                "for j in range(i + 1):\n        B[i, j] = slope * (i - j)",
                "for j in range(n):\n        if j <= i:\n            B[i, j] = slope * (i - j)",
            ]
        )
        return f"{init}\nfor i in range(n):\n    {inner}\nreturn B"
    return rng.choice(
        [
            "diff = np.subtract.outer(np.arange(n), np.arange(n))\nreturn slope * np.tril(diff).astype(float)",
            "B = slope * (np.arange(n)[:, None] - np.arange(n)[None, :])\nreturn np.tril(B)",
            "dist = np.arange(n).reshape(-1, 1) - np.arange(n).reshape(1, -1)\nreturn np.where(dist >= 0, slope * dist, 0.0)",
        ]
    )


embedding_params = pick(
    "embedding_params",
    [
        "return vocab * d if tied else 2 * vocab * d",
        "n = vocab * d\nreturn n if tied else 2 * n",
        "if tied:\n    return vocab * d\nreturn 2 * vocab * d",
        "tables = 1 if tied else 2\nreturn int(tables * vocab * d)",
        "return vocab * d * (1 if tied else 2)",
    ],
)
