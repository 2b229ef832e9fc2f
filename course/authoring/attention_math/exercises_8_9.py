"""Exercises 8-9 of attention_math (★★★): the softmax Jacobian, KV-cache memory.

Runs in: the author's process (build.py); the strings are notebook cell sources. Model shapes are
from the papers: Llama 2 (Touvron et al. 2023; 7B: 32 layers, 32 heads of 128; 70B: 80 layers,
8 KV heads), Llama 3 (Meta 2024; 8B: 32 layers, 32 query / 8 KV heads of 128), Mistral 7B (Jiang
et al. 2023; 32 layers, 8 KV heads of 128, sliding window 4096 with a rolling cache).
"""

from __future__ import annotations

from .spec import Exercise

EX8 = Exercise(
    n=8,
    slug="softmax_jacobian",
    title="The softmax Jacobian",
    stars=3,
    intro="Differentiate the softmax. State the shapes, compute the result, and explain the LLM "
    "consequence.",
    task=r"""
For `p = softmax(z)`, `∂pᵢ/∂zⱼ = pᵢ (δᵢⱼ − pⱼ)`, where `δᵢⱼ` is 1 when `i = j` and 0 otherwise.
Write `softmax_jacobian(p)`: for a probability vector `p` of shape `(V,)` return the `(V, V)`
matrix `J[i, j] = ∂pᵢ/∂zⱼ`, that is `diag(p) − p pᵀ`.
""",
    example=r"""
For `p = [0.5, 0.5]` the diagonal is `p(1 − p) = 0.25` and the off-diagonal `−p₀p₁ = −0.25`; a
one-hot `p` (a saturated softmax) gives the zero matrix:

```
J for p = [0.5, 0.5]: [[0.25, -0.25], [-0.25, 0.25]]
```
""",
    answer=r'''
def softmax_jacobian(p):
    """Jacobian of softmax at probabilities p (V,): the (V, V) matrix diag(p) - p p^T."""
    ### BEGIN SOLUTION
    p = np.asarray(p, dtype=float)
    return np.diag(p) - np.outer(p, p)
    ### END SOLUTION
''',
    visible=r'''
"""Check softmax_jacobian for p = [0.5, 0.5] and p = [0.7, 0.2, 0.1] (diagonal and off-diagonal entries)."""
header("Exercise 8: The softmax Jacobian")
J = checked_call("softmax_jacobian runs for p = [0.5, 0.5]", softmax_jacobian, np.array([0.5, 0.5]))
print("J for p = [0.5, 0.5]:", np.round(np.asarray(J, dtype=float), 4).tolist())
check_array(J, [[0.25, -0.25], [-0.25, 0.25]], "p = [0.5, 0.5]: [[0.25, -0.25], [-0.25, 0.25]]",
            hint="J[i, j] = p_i (delta_ij - p_j): diag(p) - p p^T",
            mistakes={"only the diagonal: the off-diagonal entries are -p_i p_j, not 0": [[0.25, 0.0], [0.0, 0.25]],
                      "the sign is flipped: diag(p) - p p^T, not p p^T - diag(p)": [[-0.25, 0.25], [0.25, -0.25]],
                      "you subtracted the number p . p from every entry; subtract the outer product p p^T (np.outer)":
                      [[0.0, -0.5], [-0.5, 0.0]]})
check_array(call(softmax_jacobian, np.array([0.7, 0.2, 0.1])),
            [[0.21, -0.14, -0.07], [-0.14, 0.16, -0.02], [-0.07, -0.02, 0.09]],
            "p = [0.7, 0.2, 0.1]: diagonal p_i (1 - p_i), off-diagonal -p_i p_j",
            hint="J[i, j] = p_i (delta_ij - p_j): the diagonal is p_i (1 - p_i)")
''',
    hidden=r"""
rng = np.random.default_rng(1208)
z8 = rng.normal(size=6)
p8 = softmax(z8)
numeric = np.zeros((6, 6))
for j in range(6):
    step = np.zeros(6)
    step[j] = 1e-6
    numeric[:, j] = (softmax(z8 + step) - softmax(z8 - step)) / 2e-6
J8 = softmax_jacobian(p8)
check_array(J8, numeric, "matches a finite-difference Jacobian of softmax (V = 6)", atol=1e-6,
            hint="J[i, j] = p_i (delta_ij - p_j)")
J8 = np.asarray(J8, dtype=float)
check_array(J8 @ np.ones(6), np.zeros(6), "J times a vector of ones is 0 (the probabilities keep summing to 1)", atol=1e-6)
check_true(np.allclose(J8, J8.T, atol=1e-7), "J is symmetric")
check_true(np.min(np.linalg.eigvalsh(J8)) > -1e-9, "J is positive semi-definite")
check_array(softmax_jacobian(np.array([0.0, 1.0, 0.0])), np.zeros((3, 3)),
            "a one-hot p (a saturated softmax) has a zero Jacobian", atol=1e-7)
""",
    takeaway="diag(p) - p p^T vanishes as p becomes one-hot: a saturated softmax passes no gradient.",
    figure=r"""
# Figure: the bigger the scores, the smaller the softmax Jacobian (uses your softmax_jacobian).
def draw():
    rng = np.random.default_rng(8)
    Z = rng.normal(size=(300, 16))  # 300 queries, 16 keys each, scores of spread 1 before scaling
    spreads = np.logspace(-1, 2, 50)
    sizes = [np.median([np.linalg.norm(np.asarray(softmax_jacobian(softmax(s * z)), dtype=float)) for z in Z])
             for s in spreads]
    fig, axes = plt.subplots(1, 3, figsize=(17, 5), gridspec_kw={"width_ratios": [3, 2, 2]})
    axes[0].loglog(spreads, sizes, color=COLORS["primary"])
    axes[0].axvline(1.0, ls=":", color=COLORS["neutral"], label="scaled scores: spread 1")
    axes[0].axvline(np.sqrt(128), ls="--", color=COLORS["secondary"], label="unscaled, d = 128: spread 11.3")
    axes[0].set_xlabel("spread of the scores"); axes[0].set_ylabel("size of J (median Frobenius norm)")
    axes[0].set_title("Bigger scores, smaller gradient"); axes[0].legend()
    for ax, s in [(axes[1], 1.0), (axes[2], np.sqrt(128))]:
        J = np.asarray(softmax_jacobian(softmax(s * Z[0, :8])), dtype=float)
        ax.imshow(J, cmap="RdBu_r", vmin=-0.25, vmax=0.25)
        ax.set_title(f"J, 8 keys, spread {s:.1f}: max |J| = {np.abs(J).max():.3f}", fontsize=12)
        ax.set_xlabel("j"); ax.set_ylabel("i"); ax.grid(False)
    plt.show()

try_figure(draw, "softmax_jacobian")
""",
    prompt="Use your Jacobian: what happens to the gradient that flows back through an attention "
    "softmax whose scores are very large, for example unscaled scores with `d_head = 128`? Connect "
    "this with Exercise 1.",
    explain=r"""
The gradient reaching the scores is `Jᵀ ∂L/∂p`, and every entry of `J = diag(p) − p pᵀ` is a
product `pᵢ(δᵢⱼ − pⱼ)`: when one weight is near 1 and the others near 0, all of them are near 0, so a
saturated softmax passes almost no gradient back to the scores, hence to `W_Q` and `W_K`. Unscaled
scores with `d_head = 128` have a spread of about `√128 ≈ 11`, enough to saturate, which is exactly
what the `1/√d` scale of Exercise 1 prevents at initialisation (later fixes for the same problem:
QK-normalisation, logit soft-capping).
""",
    scheme=r"""
1 point: J → 0 as p becomes one-hot (entries pᵢ(δᵢⱼ − pⱼ) vanish), so gradients to the scores/
queries/keys vanish **and** the link: large unscaled scores (spread √d) saturate the softmax, which
the 1/√d scale avoids. 0 points: only the formula.
""",
)

EX9 = Exercise(
    n=9,
    slug="kv_cache_bytes",
    title="KV-cache memory",
    stars=3,
    intro="Count the memory a model needs to remember its context. State the shapes, compute the "
    "result, and explain the LLM consequence.",
    task=r"""
While generating, a decoder stores the key and the value vector of every past token, in every layer
and every KV head, so that it never recomputes them: the KV cache. Write
`kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch=1, bytes_per_value=2)`: the bytes of
the K and V caches, an `int`, for `batch` sequences of `seq_len` tokens stored at `bytes_per_value`
bytes per number (2 for fp16/bf16, 1 for 8-bit). With grouped-query attention (GQA) several query
heads share one K/V head, so only `n_kv_heads` heads are cached.

| model | layers | query heads | KV heads | d_head |
| --- | --- | --- | --- | --- |
| Llama-2-7B | 32 | 32 | 32 | 128 |
| Llama-3-8B | 32 | 32 | 8 | 128 |
| Mistral-7B | 32 | 32 | 8 | 128 |
""",
    example=r"""
Llama-2-7B keeps `2 × 32 × 32 × 128 = 262,144` numbers per token (K and V, 32 layers, 32 heads of
128), 512 KiB in fp16, so one sequence of 4,096 tokens needs

```
Llama-2-7B, 4096 tokens, fp16: 2,147,483,648 bytes = 2.00 GiB
```
""",
    answer=r'''
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch=1, bytes_per_value=2):
    """Bytes of the K and V caches (an int): 2 * layers * kv heads * d_head * tokens * batch * bytes."""
    ### BEGIN SOLUTION
    return 2 * int(n_layers) * int(n_kv_heads) * int(d_head) * int(seq_len) * int(batch) * int(bytes_per_value)
    ### END SOLUTION
''',
    visible=r'''
"""Check kv_cache_bytes for Llama-2-7B at 4096 tokens (8-bit and fp16), for a batch, and that it is an int."""
header("Exercise 9: KV-cache memory")
b = checked_call("kv_cache_bytes(32, 32, 128, 4096) runs", kv_cache_bytes, 32, 32, 128, 4096)
print(f"Llama-2-7B, 4096 tokens, fp16: {b:,.0f} bytes = {b / 2**30:.2f} GiB")
check_equal(call(kv_cache_bytes, 32, 32, 128, 4096, bytes_per_value=1), 1_073_741_824,
            "Llama-2-7B (32 layers, 32 KV heads of 128) at 4096 tokens in 8-bit: 1 GiB, an int",
            hint="2 (K and V) x layers x KV heads x d_head x tokens x batch x bytes per value",
            mistakes={"half of it: the cache holds a key AND a value per token, head and layer (a factor 2)":
                      lambda got: got == 2**29,
                      "a float: byte counts are whole numbers; use integer arithmetic (no / and no 2.0)":
                      lambda got: isinstance(got, float)})
check_equal(b, 2_147_483_648, "the same cache in fp16 (2 bytes per value): 2 GiB",
            hint="multiply by bytes_per_value",
            mistakes={"1 GiB counts numbers, not bytes: multiply by bytes_per_value (2 for fp16)":
                      lambda got: got == 2**30})
check_equal(call(kv_cache_bytes, 32, 8, 128, 4096, batch=4), 4 * 536_870_912,
            "Llama-3-8B (8 KV heads), 4 sequences of 4096 tokens: 4 x 512 MiB",
            hint="every sequence in the batch has its own cache: multiply by batch")
''',
    hidden=r"""
l3 = kv_cache_bytes(32, 8, 128, 8192)
check_true(isinstance(l3, (int, np.integer)) and int(l3) == 1_073_741_824,
           "Llama-3-8B (8 KV heads) at 8192 tokens in bf16: exactly 1 GiB, an integer")
check_true(int(kv_cache_bytes(32, 32, 128, 8192)) == 4 * int(l3), "32 instead of 8 KV heads: 4 times the cache")
check_true(int(kv_cache_bytes(32, 8, 128, 32768, batch=8, bytes_per_value=1)) == 17_179_869_184,
           "8 sequences of 32,768 tokens in 8-bit (Mistral-7B shape): 16 GiB", hint="use batch and bytes_per_value")
check_true(int(kv_cache_bytes(80, 8, 128, 1)) == 327_680, "one token of Llama-2-70B (80 layers, 8 KV heads): 320 KiB")
check_true(int(kv_cache_bytes(32, 32, 128, 2**20, batch=64)) == 2**45, "64 sequences of 2^20 tokens: exactly 2^45 bytes")
""",
    takeaway="the KV cache grows linearly with layers, KV heads, context and batch; GQA divides it by the group size.",
    figure=r"""
# Figure: KV-cache memory against context length for real 7-8B model shapes in fp16 (uses your kv_cache_bytes).
def draw():
    ctx = np.array([2 ** k for k in range(10, 18)])  # 1k .. 128k tokens
    GiB = 2 ** 30
    fig, ax = plt.subplots(figsize=(11, 6.5))
    for label, heads, window, color in [("Llama-2-7B (32 KV heads)", 32, None, COLORS["error"]),
                                        ("Llama-3-8B (8 KV heads, GQA)", 8, None, COLORS["primary"]),
                                        ("Mistral-7B (8 KV heads, rolling window 4096)", 8, 4096, COLORS["tertiary"])]:
        for batch, style in [(1, "o-"), (16, "s--")]:
            gib = [kv_cache_bytes(32, heads, 128, min(int(t), window or int(t)), batch=batch) / GiB for t in ctx]
            ax.plot(ctx, gib, style, color=color, label=f"{label}, batch {batch}")
    ax.axhline(7e9 * 2 / GiB, color=COLORS["neutral"], ls=":", label="fp16 weights of a 7B model (13 GiB)")
    ax.axhline(80e9 / GiB, color=COLORS["highlight"], ls=":", label="one 80 GB GPU")
    ax.set_xscale("log", base=2); ax.set_yscale("log")
    ax.set_xlabel("context length (tokens)"); ax.set_ylabel("KV cache (GiB)")
    ax.set_title("KV-cache memory grows with context and batch; GQA divides it by 4")
    ax.legend(fontsize=9, loc="upper left")
    plt.show()

try_figure(draw, "kv_cache_bytes")
""",
    prompt="Use your function: how much KV cache do 32 concurrent sequences of 4,096 tokens need on "
    "Llama-2-7B, and on Llama-3-8B? Compare with the ~13 GiB of fp16 weights. What does grouped-query "
    "attention give up for this saving?",
    explain=r"""
Llama-2-7B needs 2 GiB per 4,096-token sequence, so 64 GiB for 32 sequences, five times its own
weights and most of an 80 GB GPU; Llama-3-8B caches 8 instead of 32 KV heads, 0.5 GiB per sequence
and 16 GiB for 32. In serving, memory for the cache (not for the weights) limits the batch size and
the context, and every generated token must read the whole cache, so decoding is bound by memory
bandwidth; GQA cuts both by the group size (4 here). The price is less capacity: groups of query
heads must share one key and value projection, which costs a little quality compared with full
multi-head attention (multi-query attention, one KV head, is the extreme), though GQA stays close.
""",
    scheme=r"""
1 point: correct numbers from the function (≈ 64 GiB vs ≈ 16 GiB, i.e. 4× less with 8 KV heads) and
the comparison with the weights **and** the trade-off: query heads share K/V (fewer KV parameters,
slightly less expressive / small quality cost) in exchange for memory/bandwidth (bigger batches,
longer contexts). 0 points: numbers without the trade-off, or the trade-off without numbers.
""",
)
