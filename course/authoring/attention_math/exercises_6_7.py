"""Exercises 6-7 of attention_math (★★): masked attention, and splitting/merging heads.

Runs in: the author's process (build.py); the strings are notebook cell sources.
"""

from __future__ import annotations

from .spec import Exercise

EX6 = Exercise(
    n=6,
    slug="attention",
    title="Masked scaled dot-product attention",
    stars=2,
    intro="Put scores, mask and softmax together. State the shapes, compute the result, and "
    "explain the LLM consequence.",
    task=r"""
Write `attention(Q, K, V, mask=None)`. `Q` is `(..., n_q, d)`, `K` is `(..., n_k, d)` and `V` is
`(..., n_k, d_v)`. Compute the scores `Q Kᵀ / √d`; where a `mask` is given (a boolean array
broadcastable to `(..., n_q, n_k)`, `True` = may attend) set the scores of the keys a query may not
attend to `-inf`; take the softmax over the keys (the last axis); return the weights times `V`,
shape `(..., n_q, d_v)`. Every query may attend at least one key. Your functions from Exercises 1-3
may help.
""",
    example=r"""
With `d = 4`, `Q = [[2 ln 3, 0, 0, 0], [0, 0, 0, 0]]`, `K = [[1, 0, 0, 0], [0, 0, 0, 0]]` and
`V = [[4, 0], [0, 4]]`, query 0 has scores `[ln 3, 0]` and weights `[3/4, 1/4]`, query 1 has
weights `[1/2, 1/2]`. With the causal mask query 0 may only see key 0:

```
No mask: [[3.0, 1.0], [2.0, 2.0]]
Causal:  [[4.0, 0.0], [2.0, 2.0]]
```
""",
    answer=r'''
def attention(Q, K, V, mask=None):
    """softmax(Q K^T / sqrt(d) with masked-out scores at -inf, over the keys) @ V.

    Q : (..., n_q, d);  K : (..., n_k, d);  V : (..., n_k, d_v).
    mask : None, or boolean broadcastable to (..., n_q, n_k); True = may attend.
    Returns (..., n_q, d_v).
    """
    ### BEGIN SOLUTION
    Q = np.asarray(Q, dtype=float)
    K = np.asarray(K, dtype=float)
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ np.asarray(V, dtype=float)
    ### END SOLUTION
''',
    visible=r'''
"""Check attention on the worked example, without and with the causal mask, and on a batch."""
header("Exercise 6: Masked scaled dot-product attention")
Q = np.array([[2 * np.log(3.0), 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
K = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
V = np.array([[4.0, 0.0], [0.0, 4.0]])
causal2 = np.array([[True, False], [True, True]])
out = checked_call("attention(Q, K, V) runs on the worked example", attention, Q, K, V)
out_causal = checked_call("attention(Q, K, V, mask) runs with the causal mask", attention, Q, K, V, mask=causal2)
print("No mask:", np.round(np.asarray(out, dtype=float), 4).tolist())
print("Causal: ", np.round(np.asarray(out_causal, dtype=float), 4).tolist())
check_array(out, [[3.0, 1.0], [2.0, 2.0]], "no mask: weights [3/4, 1/4] and [1/2, 1/2] times V",
            hint="softmax over the keys (the last axis) of Q K^T / sqrt(d), then multiply by V",
            mistakes={"each KEY's weights sum to 1 here: the softmax ran over the queries (axis -2); use the last axis":
                      [[3.0, 2.0], [1.0, 2.0]],
                      "query 0 weighs key 0 by 9/10 instead of 3/4: the 1/sqrt(d) scale is missing":
                      [[3.6, 0.4], [2.0, 2.0]]})
check_array(out_causal, [[4.0, 0.0], [2.0, 2.0]], "causal mask: query 0 sees only key 0, so it returns V[0]",
            hint="set the scores of masked-out keys to -inf before the softmax",
            mistakes={"query 0's weights sum to 3/4, not 1: the mask was applied after the softmax; "
                      "set masked scores to -inf before it": [[3.0, 0.0], [2.0, 2.0]],
                      "True means *may attend*: you hid the allowed keys (and a query with none left gives nan)":
                      lambda got: bool(np.isnan(np.asarray(got, dtype=float)).any())})
check_array(call(attention, np.ones((2, 3, 4)), np.ones((2, 5, 4)), np.ones((2, 5, 6)), mask=np.ones((3, 5), dtype=bool)),
            np.ones((2, 3, 6)), "a batch: (2, 3, 4), (2, 5, 4), (2, 5, 6) and a (3, 5) mask give (2, 3, 6)",
            hint="transpose only the last two axes of K; the mask broadcasts over the batch axis")
''',
    hidden=r"""
def _attention_ref(Q, K, V, mask=None):
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        S = np.where(mask, S, -np.inf)
    W = np.exp(S - S.max(axis=-1, keepdims=True))
    return (W / W.sum(axis=-1, keepdims=True)) @ V

rng = np.random.default_rng(1206)
Qh, Kh = rng.normal(size=(2, 2, 3, 6, 8))
Vh = rng.normal(size=(2, 3, 6, 5))
cm = np.tril(np.ones((6, 6), dtype=bool))
check_array(attention(Qh, Kh, Vh), _attention_ref(Qh, Kh, Vh), "batch x heads (2, 3, 6, 8), no mask", atol=1e-6,
            hint="normalise over the keys (last axis), not over the queries")
check_array(attention(Qh, Kh, Vh, cm), _attention_ref(Qh, Kh, Vh, cm),
            "batch x heads with a (6, 6) causal mask broadcast over them", atol=1e-6,
            hint="masked scores become -inf before the softmax; True means may attend")
Wh = np.asarray(attention(Qh[0, 0], Kh[0, 0], np.eye(6), cm), dtype=float)
check_true(np.allclose(Wh.sum(axis=-1), 1.0, atol=1e-6) and np.allclose(np.triu(Wh, 1), 0.0, atol=1e-12),
           "with V = identity the output is the weight matrix: rows sum to 1, zero above the diagonal")
pad = np.array([[True, True, True, True, False, False]])
check_array(attention(Qh, Kh, Vh, pad), _attention_ref(Qh, Kh, Vh, pad),
            "a (1, 6) padding mask hides the last two keys from every query", atol=1e-6)
Qc, Kc, Vc = rng.normal(size=(4, 8)), rng.normal(size=(9, 8)), rng.normal(size=(9, 3))
check_array(attention(Qc, Kc, Vc), _attention_ref(Qc, Kc, Vc), "cross-attention: 4 queries, 9 keys, d_v = 3", atol=1e-6)
check_array(attention(100.0 * Qh[0, 0], Kh[0, 0], Vh[0, 0], cm), _attention_ref(100.0 * Qh[0, 0], Kh[0, 0], Vh[0, 0], cm),
            "scores of several hundred give finite, correct weights (no overflow)", atol=1e-3)
""",
    takeaway="attention is a softmax-weighted average of value rows; the mask decides which rows are in the average.",
    figure=r"""
# Figure: attention weights of a toy sentence without and with your causal mask (uses attention and causal_mask).
def draw():
    words = ["the", "cat", "sat", "on", "the", "mat", "and", "slept"]
    n = len(words)
    rng = np.random.default_rng(6)
    X = rng.normal(size=(n, 16))
    X[4] = X[0] + 0.1 * rng.normal(size=16)  # both "the" tokens share a direction
    Wq, Wk = rng.normal(size=(2, 16, 16)) / 3
    Q, K = X @ Wq, X @ Wk
    # With V = identity, attention returns its own weight matrix.
    W_full = np.asarray(attention(Q, K, np.eye(n)), dtype=float)
    W_causal = np.asarray(attention(Q, K, np.eye(n), mask=causal_mask(n)), dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(15, 6.5))
    for ax, W, title in [(axes[0], W_full, "No mask: every token sees the whole sentence"),
                         (axes[1], W_causal, "Causal mask: each token sees only the past")]:
        if HAS_SNS:
            sns.heatmap(W, xticklabels=words, yticklabels=words, cmap="mako", vmin=0, vmax=1, annot=True,
                        fmt=".2f", square=True, cbar=False, ax=ax, annot_kws={"size": 8})
        else:
            ax.imshow(W, cmap="viridis", vmin=0, vmax=1)
        ax.set_xlabel("key (attended to)"); ax.set_ylabel("query"); ax.set_title(title)
    plt.show()

try_figure(draw, "attention")
""",
    prompt="Why are masked scores set to `-inf` before the softmax, rather than multiplying the "
    "weights by the mask after it, or adding a large negative number such as `-10000`? Think about "
    "what each row sums to, and about fp16 (largest finite value 65504).",
    explain=r"""
With `-inf` the masked keys get `exp(-inf) = 0` weight exactly, and the softmax renormalises over
the allowed keys, so each row is still a probability distribution over the past. Multiplying by the
mask after the softmax leaves rows that sum to less than 1 (the future still took part in the
normalisation, so it still changes every weight), so outputs shrink and depend on tokens that should
be invisible. A finite "large negative" number is only safe if it dwarfs every real score: too
small (say `-100` next to scores near 100) and the future leaks weight; the popular `-1e9` does not
fit in fp16 at all (it overflows to `-inf`); and a finite value silently spreads a fully masked row
over the hidden keys instead of failing. Frameworks therefore use `-inf` or the dtype's minimum and
make sure every query keeps at least one key (an all-`-inf` row gives `NaN`).
""",
    scheme=r"""
1 point: −inf gives exactly zero weight and rows still sum to 1 over the allowed keys **and** one
failure of an alternative: after-softmax masking does not renormalise / lets the future influence
the weights, or a finite large negative can leak weight or overflow in fp16. 0 points: "−inf means
ignore" without either argument.
""",
)

EX7 = Exercise(
    n=7,
    slug="split_heads",
    title="Splitting and merging heads",
    stars=2,
    intro="Cut the model dimension into heads and glue them back. State the shapes, compute the "
    "result, and explain the LLM consequence.",
    task=r"""
Multi-head attention runs `n_heads` attentions side by side, each on its own slice of the model
dimension. Write `split_heads(X, n_heads)`: `X` of shape `(T, d_model)` becomes
`(n_heads, T, d_head)` with `d_head = d_model // n_heads`, head `h` holding columns
`h·d_head … (h+1)·d_head − 1` of every token. Then write `merge_heads(H)`, its inverse:
`(n_heads, T, d_head)` becomes `(T, n_heads·d_head)`, so that `merge_heads(split_heads(X, n)) == X`.
""",
    example=r"""
For `X = np.arange(12).reshape(2, 6)` (two tokens, `d_model = 6`) and 3 heads, head 1 holds columns
2 and 3:

```
Shape: (3, 2, 2)
Head 1: [[2.0, 3.0], [8.0, 9.0]]
```
""",
    answer=r'''
def split_heads(X, n_heads):
    """(T, d_model) -> (n_heads, T, d_head): head h holds columns h*d_head .. (h+1)*d_head - 1."""
    ### BEGIN SOLUTION
    X = np.asarray(X)
    T, d_model = X.shape
    return X.reshape(T, n_heads, d_model // n_heads).transpose(1, 0, 2)
    ### END SOLUTION


def merge_heads(H):
    """(n_heads, T, d_head) -> (T, n_heads * d_head), the inverse of split_heads."""
    ### BEGIN SOLUTION
    H = np.asarray(H)
    n_heads, T, d_head = H.shape
    return H.transpose(1, 0, 2).reshape(T, n_heads * d_head)
    ### END SOLUTION
''',
    visible=r'''
"""Check split_heads and merge_heads on the worked example: shapes, which columns each head holds, the inverse."""
header("Exercise 7: Splitting and merging heads")
X = np.arange(12, dtype=float).reshape(2, 6)
H = checked_call("split_heads(X, 3) runs", split_heads, X, 3)
print("Shape:", np.shape(H))
if np.shape(H) == (3, 2, 2):
    print("Head 1:", np.asarray(H, dtype=float)[1].tolist())
expected = np.array([[[0.0, 1.0], [6.0, 7.0]], [[2.0, 3.0], [8.0, 9.0]], [[4.0, 5.0], [10.0, 11.0]]])
check_array(H, expected, "3 heads of (2, 6): head h holds columns 2h and 2h + 1 of every token", atol=0, rtol=0,
            hint="head h is the block of columns h*d_head .. (h+1)*d_head - 1 of every token",
            mistakes={"X.reshape(n_heads, T, d_head) mixes tokens and heads: reshape to (T, n_heads, d_head), "
                      "then move the head axis to the front": np.arange(12.0).reshape(3, 2, 2),
                      "head h got every 3rd column (h, h + 3): that splits as (T, d_head, n_heads); "
                      "a head is a contiguous block of columns": np.arange(12.0).reshape(2, 2, 3).transpose(2, 0, 1)})
check_array(call(merge_heads, expected), X, "merge_heads puts the heads back side by side: (3, 2, 2) -> (2, 6)",
            atol=0, rtol=0, hint="token t's row is head 0's row t, then head 1's row t, then head 2's",
            mistakes={"reshaping (n_heads, T, d_head) straight to (T, n_heads * d_head) mixes tokens: "
                      "move the head axis next to d_head first (transpose to (T, n_heads, d_head))":
                      expected.reshape(2, 6)})
''',
    hidden=r"""
rng = np.random.default_rng(1207)
Xh = rng.normal(size=(5, 12))
Hh = np.asarray(split_heads(Xh, 4))
check_true(Hh.shape == (4, 5, 3) and all(np.array_equal(Hh[h], Xh[:, 3 * h:3 * h + 3]) for h in range(4)),
           "(5, 12) with 4 heads: head h is columns 3h .. 3h + 2, shape (4, 5, 3)",
           hint="contiguous blocks of columns, not every n_heads-th column")
check_array(merge_heads(split_heads(Xh, 4)), Xh, "merge_heads(split_heads(X, 4)) gives X back", atol=0, rtol=0)
Gh = rng.normal(size=(8, 7, 16))
check_array(split_heads(merge_heads(Gh), 8), Gh, "split_heads(merge_heads(H), 8) gives H back for (8, 7, 16)", atol=0, rtol=0)
Mh = np.asarray(merge_heads(Gh))
check_true(Mh.shape == (7, 128) and np.array_equal(Mh[:, 16:32], Gh[1]), "merge_heads: head 1 becomes columns 16 .. 31")
check_array(split_heads(Xh, 1), Xh[None], "one head is the whole matrix: (1, T, d_model)", atol=0, rtol=0)
""",
    takeaway="heads are a reshape of the same numbers: each head works in its own d_head-dimensional slice.",
    prompt="Splitting into heads is only a reshape. Compared with a single head of size `d_model`, "
    "what do `n_heads` heads of size `d_model / n_heads` cost in parameters and in score FLOPs, and "
    "what do they buy?",
    explain=r"""
Nothing extra: the projections `W_Q, W_K, W_V, W_O` are the same `d_model × d_model` matrices, and
the score products cost `n_heads · T² · d_head = T² · d_model`, the same as one big head (the
reshape itself is free, a view of the same memory). What changes is that there are `n_heads`
separate softmaxes: each head can put its attention somewhere different (the previous token,
a matching bracket, the subject of the sentence) in its own subspace, instead of one averaged
pattern; `merge_heads` followed by `W_O` then mixes what the heads found.
""",
    scheme=r"""
1 point: same parameters and (score) FLOPs as one head of size d_model **and** the benefit: several
independent attention patterns / subspaces attending to different positions or relations. 0 points:
"more heads are more powerful" without the cost argument.
""",
)
