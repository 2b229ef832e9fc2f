"""Honest answers to exercises 1-5 of Embedding Space Math, in varied styles (see the package
docstring)."""

from __future__ import annotations

import random


def pick(name: str, options: list[str]):
    """A style that is one of `options` (the exercise is answered in a line or two)."""

    def style(rng: random.Random) -> str:
        return rng.choice(options)

    style.__name__ = name
    return style


def _name(rng: random.Random, *names: str) -> str:
    return rng.choice(names)


def embed(rng: random.Random) -> str:
    t, i = _name(rng, "E", "table", "emb", "W"), _name(rng, "ids", "idx", "tokens", "I")
    prep = rng.choice(
        [
            "",
            f"{t} = np.asarray(E)\n",
            f"{t} = np.array(E, dtype=float)\n",
            f"{t} = np.asarray(E, dtype=float)\n",
        ]
    )
    t = t if prep else "E"
    prep += rng.choice(
        [
            "",
            f"{i} = np.asarray(ids)\n",
            f"{i} = np.asarray(ids, dtype=int)\n",
            f"{i} = np.array(ids).astype(int)\n",
        ]
    )
    i = i if f"{i} =" in prep else "ids"
    shape = rng.randrange(3)
    if shape == 0:
        return prep + rng.choice(
            [
                f"return {t}[{i}]",
                f"return np.take({t}, {i}, axis=0)",
                f"out = {t}[{i}]\nreturn out",
                f"return {t}[{i}, :]",
                f"return {t}.take({i}, axis=0)",
            ]
        )
    flat = rng.choice(
        [
            f"flat = np.ravel({i})",
            f"flat = np.asarray({i}).reshape(-1)",
            f"flat = np.asarray({i}).flatten()",
        ]
    )
    rows = rng.choice(
        [
            f"rows = [{t}[k] for k in flat]",
            f"rows = []\nfor k in flat:\n    rows.append({t}[k])",
            f"rows = [{t}[int(k)] for k in flat]",
        ]
    )
    stack = rng.choice(["vecs = np.array(rows)", "vecs = np.stack(rows)", "vecs = np.vstack(rows)"])
    shape_of = rng.choice(
        [
            f"np.shape({i}) + ({t}.shape[1],)",
            f"(*np.shape({i}), {t}.shape[1])",
            f"np.shape({i}) + (-1,)",
        ]
    )
    return prep + f"{flat}\n{rows}\n{stack}\nreturn vecs.reshape({shape_of})"


def one_hot(rng: random.Random) -> str:
    v = _name(rng, "vocab_size", "V")
    prep = "V = vocab_size\n" if v == "V" else ""
    shape = rng.randrange(3)
    if shape == 0:
        eye = rng.choice(
            [
                f"np.eye({v})",
                f"np.identity({v})",
                f"np.eye({v}, dtype=float)",
                f"np.diag(np.ones({v}))",
            ]
        )
        ids = rng.choice(["ids", "np.asarray(ids)", "np.array(ids, dtype=int)"])
        return prep + rng.choice(
            [
                f"return {eye}[{ids}]",
                f"I = {eye}\nreturn I[{ids}]",
                f"table = {eye}\nreturn table[{ids}]",
            ]
        )
    if shape == 1:
        cmp = rng.choice(
            [
                f"np.arange({v}) == np.asarray(ids)[..., None]",
                f"np.asarray(ids)[..., None] == np.arange({v})",
                f"np.expand_dims(np.asarray(ids), -1) == np.arange({v})",
            ]
        )
        cast = rng.choice([".astype(float)", ".astype(np.float64)", " * 1.0"])
        return prep + rng.choice([f"return ({cmp}){cast}", f"mask = {cmp}\nreturn mask{cast}"])
    ids = rng.choice(
        [
            "ids = np.asarray(ids)",
            "ids = np.array(ids, dtype=int)",
            "ids = np.asarray(ids, dtype=int)",
        ]
    )
    make = rng.choice(
        [
            f"oh = np.zeros((ids.size, {v}))",
            f"oh = np.zeros((len(ids.ravel()), {v}))",
            f"oh = np.zeros([ids.size, {v}], dtype=float)",
        ]
    )
    fill = rng.choice(
        [
            "oh[np.arange(ids.size), ids.ravel()] = 1.0",
            "for row, k in enumerate(ids.flat):\n    oh[row, k] = 1",
            "for row, k in enumerate(ids.ravel()):\n    oh[row][k] = 1.0",
            "np.put_along_axis(oh, ids.reshape(-1, 1), 1.0, axis=1)",
        ]
    )
    ret = rng.choice(
        [
            f"return oh.reshape(ids.shape + ({v},))",
            f"return oh.reshape(*ids.shape, {v})",
            "return oh.reshape(ids.shape + (-1,))",
        ]
    )
    return prep + f"{ids}\n{make}\n{fill}\n{ret}"


def one_hot_lookup(rng: random.Random) -> str:
    size = rng.choice(["E.shape[0]", "len(E)", "np.shape(E)[0]"])
    oh = f"one_hot(ids, {size})"
    return rng.choice(
        [
            f"return {oh} @ E",
            f"V = {size}\nreturn one_hot(ids, V) @ E",
            f"return np.matmul({oh}, E)",
            f"oh = {oh}\nreturn oh.dot(E)",
            f"oh = {oh}\nreturn oh @ E",
            f"return np.einsum('...v,vd->...d', {oh}, E)",
            f"return np.tensordot({oh}, E, axes=1)",
            f"return np.dot({oh}, E)",
        ]
    )


def _norm(rng: random.Random, x: str) -> str:
    return rng.choice(
        [
            f"np.linalg.norm({x})",
            f"np.sqrt(np.sum({x} ** 2))",
            f"np.sqrt({x} @ {x})",
            f"np.sqrt(({x} * {x}).sum())",
            f"np.sqrt(np.dot({x}, {x}))",
        ]
    )


def cosine(rng: random.Random) -> str:
    dot = rng.choice(["np.dot(u, v)", "u @ v", "np.sum(u * v)", "(u * v).sum()", "float(u.dot(v))"])
    prep = rng.choice(
        [
            "",
            "u = np.asarray(u, dtype=float)\nv = np.asarray(v, dtype=float)\n",
            "u, v = np.array(u), np.array(v)\n",
        ]
    )
    nu, nv = _norm(rng, "u"), _norm(rng, "v")
    shape = rng.randrange(4)
    if shape == 0:
        return prep + f"return {dot} / ({nu} * {nv})"
    if shape == 1:
        return prep + f"num = {dot}\nden = {nu} * {nv}\nreturn float(num / den)"
    if shape == 2:
        return (
            prep
            + f"nu = {nu}\nnv = {nv}\nif nu == 0 or nv == 0:\n    return 0.0\nreturn {dot} / (nu * nv)"
        )
    return prep + f"a = u / {nu}\nb = v / {nv}\nreturn float(np.sum(a * b))"


def nearest_neighbor(rng: random.Random) -> str:
    shape = rng.randrange(4)
    if shape == 0:
        sims = rng.choice(
            [
                "[cosine(query, row) for row in E]",
                "[cosine(query, E[i]) for i in range(len(E))]",
                "list(map(lambda row: cosine(query, row), E))",
            ]
        )
        pick = rng.choice(
            ["int(np.argmax(sims))", "int(np.array(sims).argmax())", "sims.index(max(sims))"]
        )
        return f"sims = {sims}\nreturn {pick}"
    if shape == 1:
        start = rng.choice(
            [
                "best, best_i = -2.0, 0",
                "best = -np.inf\nbest_i = -1",
                "best_i, best = None, float('-inf')",
            ]
        )
        loop = rng.choice(
            [
                "for i, row in enumerate(E):\n    s = cosine(query, row)",
                "for i in range(len(E)):\n    s = cosine(query, E[i])",
            ]
        )
        cmp = rng.choice(
            [
                "    if s > best:\n        best, best_i = s, i",
                "    if s > best:\n        best = s\n        best_i = i",
            ]
        )
        return f"{start}\n{loop}\n{cmp}\nreturn {rng.choice(['best_i', 'int(best_i)'])}"
    if shape == 2:
        rows = rng.choice(
            [
                "En = E / np.linalg.norm(E, axis=1, keepdims=True)",
                "En = E / np.linalg.norm(E, axis=1)[:, None]",
                "En = E / np.sqrt((E ** 2).sum(axis=1, keepdims=True))",
            ]
        )
        q = rng.choice(["q = query / np.linalg.norm(query)", "q = query / np.sqrt(query @ query)"])
        return f"{rows}\n{q}\n" + rng.choice(
            [
                "return int(np.argmax(En @ q))",
                "scores = En @ q\nreturn int(scores.argmax())",
                "return int(np.argmax(np.dot(En, q)))",
            ]
        )
    return rng.choice(
        [
            "return int(max(range(len(E)), key=lambda i: cosine(query, E[i])))",
            "return max(range(len(E)), key=lambda i: cosine(query, E[i]))",
        ]
    )


analogy_target = pick(
    "analogy_target",
    [
        "return b - a + c",
        "return c + b - a",
        "return c + (b - a)",
        "return b - a + c",
        "return np.asarray(b) - np.asarray(a) + np.asarray(c)",
        "relation = b - a\nreturn c + relation",
    ],
)


center = pick(
    "center",
    [
        "return X - X.mean(axis=0)",
        "return X - np.mean(X, axis=0)",
        "return X - X.mean(axis=0)",
        "X = np.asarray(X, dtype=float)\nmu = X.mean(axis=0, keepdims=True)\nreturn X - mu",
        "mean = np.mean(X, axis=0)\nreturn X - mean[None, :]",
        "return X - X.sum(axis=0) / len(X)",
    ],
)
