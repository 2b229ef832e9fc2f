"""Exercises 1-3 of attention_math (★): scaled scores, a stable softmax, the causal mask.

Runs in: the author's process (build.py); the strings are notebook cell sources.
"""

from __future__ import annotations

from .spec import Exercise

EX1 = Exercise(
    n=1,
    slug="attention_scores",
    title="Scaled dot-product scores",
    stars=1,
    intro="Score every query against every key. State the shapes, compute the result, and "
    "explain the LLM consequence.",
    task=r"""
Write `attention_scores(Q, K)`: queries `Q` of shape `(..., n_q, d)` and keys `K` of shape
`(..., n_k, d)` (the `...` are batch or head axes, the same for both) give the `(..., n_q, n_k)`
array whose entry `[i, j]` is `q_i · k_j / √d`.
""",
    example=r"""
With `d = 4` (so `√d = 2`), `Q = [[1, 0, 1, 0], [0, 2, 0, 0]]` and
`K = [[1, 1, 1, 1], [2, 0, 0, 0], [0, 0, 0, 3]]`, the dot products are `Q Kᵀ = [[2, 2, 0], [2, 0, 0]]`,
and the test cell prints

```
Scores: [[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
```
""",
    answer=r'''
def attention_scores(Q, K):
    """Scaled dot-product scores Q K^T / sqrt(d).

    Q : (..., n_q, d) queries;  K : (..., n_k, d) keys (same leading axes).
    Returns (..., n_q, n_k): entry [i, j] is q_i . k_j / sqrt(d).
    """
    ### BEGIN SOLUTION
    Q = np.asarray(Q, dtype=float)
    K = np.asarray(K, dtype=float)
    return Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    ### END SOLUTION
''',
    visible=r'''
"""Check attention_scores on the worked example (values, shape, the 1/sqrt(d) scale) and on a batch."""
header("Exercise 1: Scaled dot-product scores")
Q = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 0.0]])
K = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 3.0]])
S = checked_call("attention_scores(Q, K) runs on the worked example", attention_scores, Q, K)
print("Scores:", np.round(np.asarray(S, dtype=float), 4).tolist())
check_array(S, [[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]], "worked example: (2, 3) scores Q K^T / sqrt(4)",
            hint="every query against every key (Q @ K^T), divided by sqrt(d) where d = Q.shape[-1]",
            mistakes={"these are the raw dot products Q K^T: divide them by sqrt(d) = 2": [[2, 2, 0], [2, 0, 0]],
                      "you divided by d = 4; the scale is 1 / sqrt(d) = 1 / 2": [[0.5, 0.5, 0], [0.5, 0, 0]],
                      "shape (3, 2) is K Q^T: queries are the rows and keys the columns": [[1, 1], [1, 0], [0, 0]]})
check_array(call(attention_scores, np.ones((2, 3, 4)), np.ones((2, 5, 4))), np.full((2, 3, 5), 2.0),
            "a batch: (2, 3, 4) queries and (2, 5, 4) keys give (2, 3, 5) scores",
            hint="transpose only the last two axes of K, and keep the batch axis in front",
            mistakes={"K.T reverses every axis, the batch axis too; swap only the last two: np.swapaxes(K, -1, -2)": ValueError})
''',
    hidden=r"""
rng = np.random.default_rng(1201)
Qh = rng.normal(size=(3, 2, 5, 16))
Kh = rng.normal(size=(3, 2, 7, 16))
check_array(attention_scores(Qh, Kh), np.einsum("...id,...jd->...ij", Qh, Kh) / 4.0,
            "batch x heads: (3, 2, 5, 16) and (3, 2, 7, 16) give the scaled (3, 2, 5, 7) scores", atol=1e-5,
            hint="swap the last two axes of K, and divide by sqrt(d) with d = Q.shape[-1]")
check_array(attention_scores(Qh[0, 0, :1], Kh[0, 0]), Qh[0, 0, :1] @ Kh[0, 0].T / 4.0,
            "one query (1, 16) against 7 keys gives a (1, 7) row", atol=1e-5)
Qv = rng.normal(size=(400, 256))
Kv = rng.normal(size=(400, 256))
var_h = float(np.var(np.asarray(attention_scores(Qv, Kv), dtype=float)))
check_true(0.8 < var_h < 1.2, "unit-variance q and k with d = 256: the scaled scores have variance about 1",
           hint="q . k has variance d; dividing by sqrt(d) brings it back to 1")
Q_before = Qh.copy()
attention_scores(Qh, Kh)
check_true(np.array_equal(Qh, Q_before), "attention_scores leaves Q unchanged")
""",
    takeaway="every query is compared with every key, and 1/sqrt(d) keeps the scores at unit scale for any head size.",
    figure=r"""
# Figure: the variance of q.k grows like d; your 1/sqrt(d) scale keeps it at 1 (uses your attention_scores).
def draw():
    rng = np.random.default_rng(12)
    dims = [4, 16, 64, 256, 1024]
    raw_var, scaled_var = [], []
    for d in dims:
        q, k = rng.normal(size=(2, 200, d))
        raw_var.append(np.var(q @ k.T))
        scaled_var.append(np.var(np.asarray(attention_scores(q, k), dtype=float)))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    ax1.loglog(dims, raw_var, "o-", color=COLORS["secondary"], label="raw q . k")
    ax1.loglog(dims, scaled_var, "o-", color=COLORS["primary"], label="q . k / sqrt(d) (yours)")
    ax1.loglog(dims, dims, ":", color=COLORS["neutral"], label="variance = d")
    ax1.set_xlabel("head dimension d"); ax1.set_ylabel("variance of the scores")
    ax1.set_title("Score variance grows with d"); ax1.legend()
    d = 128
    q, k = rng.normal(size=(1, d)), rng.normal(size=(8, d))
    scaled = np.asarray(attention_scores(q, k), dtype=float)[0]
    x = np.arange(8)
    ax2.bar(x - 0.2, softmax(scaled * np.sqrt(d)), 0.4, color=COLORS["secondary"], label="softmax of raw scores")
    ax2.bar(x + 0.2, softmax(scaled), 0.4, color=COLORS["primary"], label="softmax of scaled scores")
    ax2.set_xlabel("key"); ax2.set_ylabel("attention weight")
    ax2.set_title(f"One query against 8 keys, d = {d}"); ax2.legend()
    plt.show()

try_figure(draw, "attention_scores")
""",
    prompt="Why divide by √d? Use the figure: what happens to the softmax of unscaled scores as "
    "the head dimension grows (a typical head has d = 128), and what does that do to the gradients "
    "that train the queries and keys?",
    explain=r"""
With independent unit-variance components, `q·k` is a sum of `d` products, so its variance is `d`
and its spread `√d` (about 11 for `d = 128`). Scores that far apart make the softmax nearly one-hot:
one key takes almost all the weight, and a saturated softmax has a near-zero Jacobian, so almost no
gradient reaches `W_Q` and `W_K` and training stalls or becomes unstable. Dividing by `√d` brings
the variance back to about 1 for any head size, so attention starts out soft and trainable.
""",
    scheme=r"""
1 point: variance of the dot product grows with d (std √d) **and** the consequence: softmax
saturates / becomes one-hot, so gradients vanish (or training is unstable); the scale keeps variance
≈ 1 independent of d. 0 points: only says "to normalise" without the variance or saturation argument.
""",
)

EX2 = Exercise(
    n=2,
    slug="stable_softmax",
    title="A numerically stable softmax",
    stars=1,
    intro="Turn scores into weights without overflowing. State the shapes, compute the result, "
    "and explain the LLM consequence.",
    task=r"""
Write `stable_softmax(x, axis=-1)`: the softmax of `x` along `axis` (the entries of every slice along
`axis` become positive and sum to 1; the other axes are a batch). It must be exact for very large
logits such as 1000 — softmax does not change when the same number is added to a whole slice, so
subtract the slice's maximum before `np.exp` — and give weight 0 to `-inf` entries. Every slice has
at least one finite entry.
""",
    example=r"""
`np.exp(1000.0)` is `inf`, so a naive softmax of `[1000, 1001, 1002]` is `nan`. Shifted by the
maximum it is the softmax of `[-2, -1, 0]`, the same as that of `[0, 1, 2]`:

```
softmax([1000, 1001, 1002]): [0.09, 0.2447, 0.6652]
```
""",
    answer=r'''
def stable_softmax(x, axis=-1):
    """Softmax of x along axis: exact for huge logits, weight 0 for -inf entries. Same shape as x."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
    ### END SOLUTION
''',
    visible=r'''
"""Check stable_softmax on huge logits, on the rows and the columns of a matrix, and with -inf."""
header("Exercise 2: A numerically stable softmax")
p = checked_call("stable_softmax runs on [1000, 1001, 1002]", stable_softmax, np.array([1000.0, 1001.0, 1002.0]))
print("softmax([1000, 1001, 1002]):", np.round(np.asarray(p, dtype=float), 4).tolist())
check_array(p, [0.09003057, 0.24472847, 0.66524096], "logits [1000, 1001, 1002] give softmax([0, 1, 2])",
            hint="softmax does not change when you subtract the same number from every logit",
            mistakes={"nan: np.exp(1000) is inf and inf / inf is nan; subtract the maximum before np.exp":
                      lambda got: bool(np.isnan(np.asarray(got, dtype=float)).any())})
X = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
P = checked_call("stable_softmax runs on a (2, 3) matrix", stable_softmax, X)
check_array(P, [[0.09003057, 0.24472847, 0.66524096], [1 / 3, 1 / 3, 1 / 3]],
            "each row of a (2, 3) matrix is a softmax (default axis=-1)",
            hint="take the max and the sum along `axis` only, with keepdims=True",
            mistakes={"the whole matrix sums to 1, not each row: normalise along axis, with keepdims=True":
                      lambda got: abs(float(np.sum(got)) - 1.0) < 1e-6})
P0 = checked_call("stable_softmax runs with axis=0", stable_softmax, X, axis=0)
check_true(np.allclose(np.sum(P0, axis=0), 1.0), "axis=0 makes each column sum to 1", got=P0,
           hint="use the axis argument for both the max and the sum",
           mistakes={"your rows sum to 1, not your columns: the axis argument is ignored":
                     lambda got: np.allclose(np.sum(got, axis=-1), 1.0)})
check_array(call(stable_softmax, np.array([0.0, -np.inf, 0.0])), [0.5, 0.0, 0.5], "a -inf logit gets weight 0",
            hint="exp(-inf) is 0: after subtracting the (finite) maximum, -inf stays -inf")
''',
    hidden=r"""
def _softmax_ref(z, axis):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)

rng = np.random.default_rng(1202)
Zh = rng.normal(scale=3.0, size=(4, 5, 6))
check_array(stable_softmax(Zh, axis=1), _softmax_ref(Zh, 1), "a (4, 5, 6) array along axis=1", atol=1e-6,
            hint="normalise along `axis`; every other axis is a batch")
check_array(stable_softmax(Zh + 800.0), _softmax_ref(Zh, -1), "adding 800 to every logit changes nothing",
            atol=1e-6, hint="subtract the maximum of each slice before np.exp")
check_array(stable_softmax(np.array([-1000.0, 0.0])), [0.0, 1.0], "logits [-1000, 0] give [0, 1]", atol=1e-6)
Mh = np.array([[0.0, -np.inf, np.log(3.0)], [-np.inf, -np.inf, 5.0]])
check_array(stable_softmax(Mh), [[0.25, 0.0, 0.75], [0.0, 0.0, 1.0]],
            "-inf entries in a batch of rows get weight 0 (a row with one finite entry is one-hot)", atol=1e-6)
Z_before = Zh.copy()
stable_softmax(Zh, axis=2)
check_true(np.array_equal(Zh, Z_before), "stable_softmax leaves its input unchanged",
           hint="x -= x.max() changes the caller's array; compute x - max into a new array")
""",
    takeaway="softmax(x + c) = softmax(x), so subtracting the maximum costs nothing and never overflows.",
    prompt="Why subtract the maximum, and why is the result unchanged? In fp16, whose largest "
    "finite number is 65504, how large may a logit be before a naive softmax overflows?",
    explain=r"""
`softmax(x + c) = e^c e^x / (e^c Σ e^x) = softmax(x)`, so subtracting the maximum changes nothing
mathematically; afterwards the largest exponent is `e^0 = 1`, every other term is at most 1 and the
denominator is at least 1, so nothing overflows and nothing divides by zero. In fp16, `e^x`
overflows once `x > ln 65504 ≈ 11.1` (in fp32 at about 88.7), and attention scores and logits easily
exceed that, which is why every framework (and FlashAttention's running maximum) shifts first.
""",
    scheme=r"""
1 point: shift invariance (the constant cancels) **and** the overflow bound in low precision
(≈ 11 for fp16, or ≈ 88 for fp32) or why exp of large logits overflows to inf/NaN. 0 points: says
"for stability" without the invariance or the overflow.
""",
)

EX3 = Exercise(
    n=3,
    slug="causal_mask",
    title="The causal mask",
    stars=1,
    intro="Decide which keys each query may see. State the shapes, compute the result, and "
    "explain the LLM consequence.",
    task=r"""
Write `causal_mask(n)`: the `(n, n)` **boolean** array whose entry `[i, j]` is `True` when query
position `i` may attend key position `j`, that is when `j ≤ i`: a token sees itself and the past,
never the future.
""",
    example=r"""
For `n = 3` the test cell prints

```
[[ True False False]
 [ True  True False]
 [ True  True  True]]
```
""",
    answer=r'''
def causal_mask(n):
    """(n, n) boolean mask: True where query i may attend key j, i.e. j <= i."""
    ### BEGIN SOLUTION
    return np.tril(np.ones((n, n), dtype=bool))
    ### END SOLUTION
''',
    visible=r'''
"""Check causal_mask(3): boolean, True on and below the diagonal (the past and the token itself)."""
header("Exercise 3: The causal mask")
M = checked_call("causal_mask(3) runs", causal_mask, 3)
print(np.asarray(M))
check_true(np.asarray(M).dtype == bool, "the mask is boolean (True = may attend)", got=M,
           hint="build it with dtype=bool, or as a comparison such as j <= i",
           mistakes={"a 0/1 number matrix: make it boolean (dtype=bool, or a comparison such as j <= i)":
                     lambda got: np.asarray(got).dtype.kind in "iuf"})
check_array(M, [[1, 0, 0], [1, 1, 0], [1, 1, 1]], "causal_mask(3): True where j <= i", atol=0, rtol=0,
            hint="row i is the query, column j the key: query i may see keys 0..i",
            mistakes={"True marks the future here; True must mean *may attend*: the past and the token itself":
                      [[0, 1, 1], [0, 0, 1], [0, 0, 0]],
                      "the upper triangle lets query i see the future; row i is the query, column j the key":
                      [[1, 1, 1], [0, 1, 1], [0, 0, 1]],
                      "the diagonal is False: a token may attend to itself (j <= i, not j < i)":
                      [[0, 0, 0], [1, 0, 0], [1, 1, 0]]})
''',
    hidden=r"""
i6, j6 = np.indices((6, 6))
M6 = np.asarray(causal_mask(6))
check_true(M6.dtype == bool and M6.shape == (6, 6), "causal_mask(6) is a (6, 6) boolean array")
check_true(np.array_equal(M6, j6 <= i6), "causal_mask(6): True exactly where j <= i",
           hint="the diagonal is True (a token attends to itself); above it is False")
check_true(np.array_equal(np.asarray(causal_mask(1)), np.array([[True]])), "causal_mask(1) is [[True]]")
check_true(np.array_equal(np.asarray(causal_mask(50)).sum(axis=1), np.arange(1, 51)),
           "in causal_mask(50), query i sees exactly i + 1 keys")
""",
    takeaway="with a causal mask, position i only ever sees tokens 0..i: the past never depends on the future.",
    prompt="With this mask a decoder computes the next-token loss at every position of a training "
    "sequence in one forward pass. Why is that legitimate, and what would a model learn if the mask "
    "let position `i` see token `i + 1`?",
    explain=r"""
Because of the mask, the output at position `i` depends only on tokens `0..i`, exactly what the
model will have when it generates token `i + 1`; so the `T` next-token predictions of a sequence are
`T` honest training examples computed in parallel (teacher forcing), instead of `T` separate passes.
If position `i` could see token `i + 1` the model would learn to copy the answer: the training loss
would fall towards zero while generation, where the future does not exist yet, fails. The same
property means past keys and values never change, which is what makes the KV cache possible.
""",
    scheme=r"""
1 point: each position only depends on the past, so all positions are valid training examples in
one pass (parallel training / teacher forcing) **and** a leak lets the model copy the next token
(near-zero loss, useless at generation time). 0 points: only says the mask "hides the future".
""",
)
