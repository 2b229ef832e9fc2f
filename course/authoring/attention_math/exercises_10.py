"""Exercise 10 of attention_math (★★★): the FLOPs of attention over a whole sequence.

Runs in: the author's process (build.py); the strings are notebook cell sources.
"""

from __future__ import annotations

from .spec import Exercise

EX10 = Exercise(
    n=10,
    slug="attention_flops",
    title="Attention FLOPs",
    stars=3,
    intro="Count the arithmetic of attention over a whole sequence. State the shapes, compute the "
    "result, and explain the LLM consequence.",
    task=r"""
Write `attention_flops(seq_len, d_model, n_layers=1)`: the floating-point operations (FLOPs) of the
two attention matrix products — the scores `Q Kᵀ` and the weighted sum `weights · V` — for one
forward pass over a sequence of `seq_len` tokens, summed over all heads and `n_layers` layers, as an
`int`. An `(m × k)` by `(k × n)` product costs `2·m·k·n` FLOPs (a multiply-add counts as 2). Ignore
the causal mask (no saving from masked entries), the softmax and the projections. Across the heads
the inner dimension `d_head` adds up to `d_model`.
""",
    example=r"""
With `seq_len = 4` and `d_model = 3`, `Q Kᵀ` is a `(4 × 3)(3 × 4)` product, `2·4·3·4 = 96`
FLOPs, and `weights · V` a `(4 × 4)(4 × 3)` product, 96 more:

```
attention_flops(4, 3): 192
```
""",
    answer=r'''
def attention_flops(seq_len, d_model, n_layers=1):
    """FLOPs (an int) of Q K^T and weights @ V over a whole sequence, all heads, n_layers layers."""
    ### BEGIN SOLUTION
    return 4 * int(seq_len) ** 2 * int(d_model) * int(n_layers)
    ### END SOLUTION
''',
    visible=r'''
"""Check attention_flops on the worked example, its growth with the context and the layers, and its type."""
header("Exercise 10: Attention FLOPs")
f = checked_call("attention_flops(4, 3) runs", attention_flops, 4, 3)
print("attention_flops(4, 3):", f)
check_equal(f, 192, "seq_len 4, d_model 3: 96 FLOPs for Q K^T plus 96 for weights . V, an int",
            hint="an (m x k)(k x n) product costs 2*m*k*n FLOPs; there are two products",
            mistakes={"96: a multiply-add counts as 2 FLOPs, not 1": lambda got: got == 96,
                      "48 grows linearly with seq_len: every query meets every key, so seq_len appears twice":
                      lambda got: got == 48,
                      "a float: FLOP counts are whole numbers; use integer arithmetic": lambda got: isinstance(got, float)})
check_equal(call(attention_flops, 2048, 64), 4 * attention_flops(1024, 64), "twice the context costs 4 times the FLOPs",
            hint="every query meets every key: the cost grows with seq_len squared")
check_equal(call(attention_flops, 1024, 768, n_layers=12), 12 * attention_flops(1024, 768),
            "12 layers cost 12 times one layer", hint="multiply by n_layers")
''',
    hidden=r"""
g2 = attention_flops(1024, 768, n_layers=12)
check_true(isinstance(g2, (int, np.integer)) and int(g2) == 38_654_705_664,
           "GPT-2 small (1024 tokens, d_model 768, 12 layers): 38,654,705,664 FLOPs, an integer")
check_true(int(attention_flops(4096, 4096, n_layers=32)) == 2**43, "Llama-2-7B shape at 4096 tokens: 2^43 FLOPs")
check_true(int(attention_flops(3000, 64)) == 9 * int(attention_flops(1000, 64)), "3 times the context costs 9 times the FLOPs")
check_true(int(attention_flops(1, 1)) == 4, "one token with d_model 1: two multiply-adds, 4 FLOPs")
""",
    takeaway="attention's matrix products grow with the square of the context; everything else in a layer grows linearly.",
    figure=r"""
# Figure: per-layer FLOPs of the attention products (yours) against projections + MLP, d_model = 4096.
def draw():
    d = 4096
    ctx = np.array([2 ** k for k in range(9, 19)])  # 512 .. 262,144 tokens
    attn = np.array([float(attention_flops(int(t), d)) for t in ctx])
    dense = 24.0 * ctx * d ** 2  # Q, K, V, O projections (8 T d^2) + an MLP with 4d hidden units (16 T d^2)
    fig, ax = plt.subplots(figsize=(11, 6.5))
    ax.loglog(ctx, attn, "o-", color=COLORS["error"], label="attention products Q K^T and weights . V (yours)")
    ax.loglog(ctx, dense, "s-", color=COLORS["primary"], label="projections + MLP of a GPT-style layer: 24 T d^2")
    ax.axvline(6 * d, ls=":", color=COLORS["neutral"], label=f"equal at T = 6 d = {6 * d:,} tokens")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("context length T (tokens)"); ax.set_ylabel("forward FLOPs per layer")
    ax.set_title("Attention is quadratic in the context, the rest of the layer linear (d_model = 4096)")
    ax.legend()
    plt.show()

try_figure(draw, "attention_flops")
""",
    prompt="Why is long context called quadratic? Using the figure, from what context length do the "
    "attention products cost more than the rest of a `d_model = 4096` layer, and what does "
    "FlashAttention change about attention, and what not?",
    explain=r"""
Every token's query meets every key, so the two products cost `4·T²·d_model` per layer: doubling the
context quadruples them, while the projections and the MLP (`≈ 24·T·d²`) only double. The two are
equal at `4T²d = 24Td²`, i.e. `T = 6d ≈ 24,600` tokens for `d = 4096`; below that the dense layers
dominate, above it attention does, and at 128k tokens it is about five times the rest. FlashAttention
computes exactly the same result in tiles without storing the `T × T` weight matrix, so memory is
linear in `T` and far fewer bytes move to and from GPU memory, but the FLOPs stay quadratic; only a
different attention (sliding windows, sparse or linear attention) removes the `T²`.
""",
    scheme=r"""
1 point: all pairs of tokens → cost ∝ T² (double context, 4× cost) with the crossover T ≈ 6d ≈ 24k
tokens (or attention dominating only at long context) **and** FlashAttention saves memory/IO but not
FLOPs (still quadratic). 0 points: "attention is slow for long text" without the T² argument.
""",
)
