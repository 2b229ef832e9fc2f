"""Exercises 4-5 of attention_math (★★): temperature, and the cross-entropy loss.

Runs in: the author's process (build.py); the strings are notebook cell sources.
"""

from __future__ import annotations

from .spec import Exercise

EX4 = Exercise(
    n=4,
    slug="softmax_temperature",
    title="Softmax temperature",
    stars=2,
    intro="Sharpen or flatten a next-token distribution. State the shapes, compute the result, "
    "and explain the LLM consequence.",
    task=r"""
Write `softmax_temperature(logits, T)`: the softmax of `logits / T` along the last axis, for a
temperature `T > 0`. `logits` has shape `(..., V)` (one row of logits per position; the other axes
are a batch) and can be large, as in Exercise 2. `T < 1` sharpens the distribution towards the
largest logit, `T > 1` flattens it towards uniform.
""",
    example=r"""
For the logits `[0, ln 4]` the plain softmax is `[0.2, 0.8]`. At `T = 2` the logits become
`[0, ln 2]`, giving `[1/3, 2/3]`; at `T = 0.5` they become `[0, ln 16]`, giving `[1/17, 16/17]`:

```
T = 0.5: [0.0588, 0.9412]
T = 1.0: [0.2, 0.8]
T = 2.0: [0.3333, 0.6667]
```
""",
    answer=r'''
def softmax_temperature(logits, T):
    """softmax(logits / T) along the last axis. logits: (..., V); T > 0. Returns (..., V)."""
    ### BEGIN SOLUTION
    z = np.asarray(logits, dtype=float) / T
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
    ### END SOLUTION
''',
    visible=r'''
"""Check softmax_temperature on the worked example at T = 0.5, 1, 2 and on a batch of large logits."""
header("Exercise 4: Softmax temperature")
logits = np.array([0.0, np.log(4.0)])
for T in (0.5, 1.0, 2.0):
    p_T = checked_call(f"softmax_temperature(logits, {T}) runs", softmax_temperature, logits, T)
    print(f"T = {T}:", np.round(np.asarray(p_T, dtype=float), 4).tolist())
check_array(call(softmax_temperature, logits, 2.0), [1 / 3, 2 / 3], "T = 2 flattens [0, ln 4] to [1/3, 2/3]",
            hint="the softmax of logits / T",
            mistakes={"[1/17, 16/17] is T = 1/2: divide the logits by T, do not multiply": [1 / 17, 16 / 17],
                      "these no longer sum to 1: p ** (1/T) must be renormalised; simpler, put T inside: softmax(logits / T)":
                      lambda got: abs(float(np.sum(got)) - 1.0) > 1e-3})
check_array(call(softmax_temperature, logits, 0.5), [1 / 17, 16 / 17], "T = 0.5 sharpens [0, ln 4] to [1/17, 16/17]",
            hint="the softmax of logits / T: a small T makes the gaps between logits larger")
L = np.array([[1.0, 2.0, 3.0], [500.0, 0.0, -500.0]])
P = checked_call("softmax_temperature(L, 0.1) runs on a (2, 3) batch", softmax_temperature, L, 0.1)
check_array(P, [[2.06106e-09, 4.5397869e-05, 0.9999546], [1.0, 0.0, 0.0]],
            "at T = 0.1 each row of a (2, 3) batch is a softmax (logits / T reach 5000)", atol=1e-7,
            hint="softmax along the last axis, row by row",
            mistakes={"nan: logits / T = 5000 overflows np.exp; subtract each row's maximum first":
                      lambda got: bool(np.isnan(np.asarray(got, dtype=float)).any())})
''',
    hidden=r"""
def _tempered_ref(z, T):
    z = np.asarray(z, dtype=float) / T
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)

def _entropy(p):
    p = np.asarray(p, dtype=float)
    return float(-np.sum(p * np.log(np.maximum(p, 1e-300))))

rng = np.random.default_rng(1204)
Lh = rng.normal(scale=2.0, size=(3, 4, 10))
check_array(softmax_temperature(Lh, 0.7), _tempered_ref(Lh, 0.7),
            "a (3, 4, 10) batch at T = 0.7, normalised along the last axis", atol=1e-6)
check_array(softmax_temperature(Lh[1, 2], 1.0), _tempered_ref(Lh[1, 2], 1.0), "T = 1 is the plain softmax", atol=1e-6)
check_array(softmax_temperature(np.array([1.0, 3.0, 2.0]), 1e-3), [0.0, 1.0, 0.0],
            "T = 0.001 puts all the weight on the largest logit (greedy decoding)", atol=1e-6,
            hint="logits / T reach 3000 here: subtract the maximum first")
check_array(softmax_temperature(np.array([1.0, 3.0, 2.0]), 1e6), [1 / 3, 1 / 3, 1 / 3],
            "T = 1,000,000 is almost uniform", atol=1e-5)
ents = [_entropy(softmax_temperature(Lh[0, 0], T)) for T in (0.3, 1.0, 3.0)]
check_true(ents[0] < ents[1] < ents[2], "the entropy grows with the temperature")
check_true(np.array_equal(np.argmax(np.asarray(softmax_temperature(Lh, 2.5)), axis=-1), np.argmax(Lh, axis=-1)),
           "the most likely token is the same at every temperature")
""",
    takeaway="dividing by T keeps the order of the logits but moves the distribution between greedy (T -> 0) and uniform (T -> inf).",
    figure=r"""
# Figure: one next-token distribution at several temperatures, and its entropy (uses your softmax_temperature).
def draw():
    tokens = ["the", "a", "cat", "dog", "sat", "ran", "on", "mat"]
    logits = np.array([3.0, 2.5, 1.5, 1.2, 0.5, 0.2, -0.5, -1.0])
    temps = [0.25, 0.5, 1.0, 2.0, 4.0]
    colors = [COLORS["primary"], COLORS["tertiary"], COLORS["neutral"], COLORS["secondary"], COLORS["error"]]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 5), gridspec_kw={"width_ratios": [3, 2]})
    x = np.arange(len(tokens))
    for k, (T, color) in enumerate(zip(temps, colors)):
        p = np.asarray(softmax_temperature(logits, T), dtype=float)
        ax1.bar(x + (k - 2) * 0.16, p, 0.16, color=color, label=f"T = {T}")
    ax1.set_xticks(x); ax1.set_xticklabels(tokens); ax1.set_ylabel("probability")
    ax1.set_title("One next-token distribution at five temperatures"); ax1.legend()
    temps_fine = np.logspace(-1.5, 1.5, 60)
    ent = []
    for T in temps_fine:
        p = np.asarray(softmax_temperature(logits, T), dtype=float)
        ent.append(-np.sum(p * np.log(np.maximum(p, 1e-300))))
    ax2.semilogx(temps_fine, ent, color=COLORS["primary"])
    ax2.axhline(np.log(len(tokens)), ls=":", color=COLORS["neutral"], label="uniform: ln 8")
    ax2.set_xlabel("temperature T"); ax2.set_ylabel("entropy (nats)")
    ax2.set_title("Entropy rises with T"); ax2.legend()
    plt.show()

try_figure(draw, "softmax_temperature")
""",
    prompt="Sampling from an LLM draws the next token from `softmax(logits / T)`. What do `T → 0` "
    "and `T → ∞` do to the generated text, and why does the temperature never change which token "
    "is the most likely?",
    explain=r"""
Dividing by a positive `T` keeps the order of the logits, so the argmax (the most likely token) is
the same at every temperature; only the gaps between logits shrink (`T > 1`) or grow (`T < 1`). As
`T → 0` all the probability goes to the top token: sampling becomes greedy decoding, deterministic
and prone to repetition. As `T → ∞` the distribution becomes uniform over the whole vocabulary and
the text turns into noise. Moderate temperatures (often 0.7-1.0, with top-k/top-p) trade diversity
against coherence; `T > 1` is also used in distillation to expose a teacher's small probabilities.
""",
    scheme=r"""
1 point: dividing by T > 0 preserves the ranking (same argmax) **and** the two limits: T → 0 greedy/
deterministic (repetitive), T → ∞ uniform/random text. 0 points: only "higher T is more random"
without the limits or the argmax argument.
""",
)

EX5 = Exercise(
    n=5,
    slug="cross_entropy",
    title="Cross-entropy of next-token predictions",
    stars=2,
    intro="Score a batch of predictions with the language-modelling loss. State the shapes, "
    "compute the result, and explain the LLM consequence.",
    task=r"""
Write `cross_entropy(logits, targets)`: `logits` has shape `(B, V)` (one row of next-token logits
per example) and `targets` shape `(B,)` (the correct token id of each row). Return the **mean** over
the batch of `−log softmax(logits[b])[targets[b]]`, as a Python `float`. Compute the log-softmax
stably, `log softmax(z)[t] = z[t] − max(z) − log Σⱼ exp(zⱼ − max(z))`, so that logits such as 1000
give a finite loss.
""",
    example=r"""
Row 0 has uniform logits over `V = 4` tokens, so its loss is `ln 4 = 1.3863` whatever the target.
Row 1 has logits `[ln 3, 0, 0, 0]`, so `p = [1/2, 1/6, 1/6, 1/6]` and with target 0 its loss is
`ln 2 = 0.6931`. The mean is

```
Loss: 1.0397
```
""",
    answer=r'''
def cross_entropy(logits, targets):
    """Mean over the batch of -log softmax(logits[b])[targets[b]] (a float).

    logits : (B, V) next-token logits;  targets : (B,) integer token ids.
    """
    ### BEGIN SOLUTION
    z = np.asarray(logits, dtype=float)
    t = np.asarray(targets).astype(int)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(t)), t].mean())
    ### END SOLUTION
''',
    visible=r'''
"""Check cross_entropy on the worked example (a mean over the batch), on a huge logit, and its type."""
header("Exercise 5: Cross-entropy of next-token predictions")
logits = np.array([[0.0, 0.0, 0.0, 0.0], [np.log(3.0), 0.0, 0.0, 0.0]])
targets = np.array([2, 0])
loss = checked_call("cross_entropy runs on the worked example", cross_entropy, logits, targets)
print("Loss:", round(float(loss), 4))
check_close(loss, (np.log(4.0) + np.log(2.0)) / 2, tol=1e-6, name="worked example: mean of ln 4 and ln 2",
            hint="row b contributes -log softmax(logits[b])[targets[b]]; average the rows",
            mistakes={"2.0794 is the sum over the batch: take the mean": np.log(4.0) + np.log(2.0),
                      "1.3144 averages every target column of every row: pick one entry per row, "
                      "log_probs[np.arange(B), targets]": (2 * np.log(4.0) + np.log(6.0) + np.log(2.0)) / 4})
check_close(call(cross_entropy, np.array([[1000.0, 0.0, 0.0]]), np.array([1])), 1000.0, tol=1e-4,
            name="logit 1000 on a wrong token: a finite loss of about 1000",
            hint="log-softmax: z[t] - max(z) - log(sum(exp(z - max(z))))",
            mistakes={"inf: the probability underflowed to 0 before the log; take the log-softmax directly, "
                      "z - max - log(sum(exp(z - max)))": lambda got: not np.isfinite(float(got))})
check_true(isinstance(loss, float), "the loss is a Python float", hint="return float(...)")
''',
    hidden=r"""
def _ce_ref(z, t):
    z = np.asarray(z, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-lp[np.arange(len(t)), t].mean())

rng = np.random.default_rng(1205)
Lg = rng.normal(scale=2.0, size=(8, 50))
tg = rng.integers(0, 50, size=8)
check_close(cross_entropy(Lg, tg), _ce_ref(Lg, tg), tol=1e-6, name="a random batch of 8 over a vocabulary of 50",
            hint="pick the target column of each row: log_probs[np.arange(B), targets]")
check_close(cross_entropy(np.tile(Lg, (3, 1)), np.tile(tg, 3)), _ce_ref(Lg, tg), tol=1e-6,
            name="repeating the batch 3 times leaves the mean loss unchanged", hint="divide by the batch size")
check_close(cross_entropy(np.zeros((2, 32000)), np.array([5, 31999])), np.log(32000.0), tol=1e-5,
            name="uniform logits over 32,000 tokens give ln 32000 = 10.37")
check_close(cross_entropy(np.array([[0.0, -800.0, 5.0]]), np.array([1])), 805.0 + np.log1p(np.exp(-5.0)), tol=1e-4,
            name="a target logit 805 below the best: a finite loss of 805.0067", hint="never take log of a probability that underflowed to 0")
check_close(cross_entropy(np.array([[0.0, 1000.0], [-1000.0, 1000.0]]), np.array([1, 1])), 0.0, tol=1e-6,
            name="confident and right: loss 0")
check_true(isinstance(cross_entropy(Lg, list(tg)), float), "targets given as a list work and the loss is a float")
""",
    takeaway="a model that knows nothing pays ln V per token; every bit of knowledge is measured against that.",
    prompt="A freshly initialised model with a 32,000-token vocabulary predicts almost uniform "
    "logits. What loss should training start at (and what perplexity), and why do training "
    "frameworks report and differentiate the mean over tokens rather than the sum?",
    explain=r"""
Uniform predictions give `−log(1/V) = ln 32000 ≈ 10.37` nats per token, a perplexity (`exp` of the
mean loss) of 32,000; a first loss far above that signals a bad initialisation (over-confident
logits). The mean makes the loss and its gradient independent of how many tokens are in a batch
(batch size × sequence length), so the learning rate does not have to change when the batch does
and losses of different runs and datasets are comparable per token; with a sum the gradient would
grow with the batch.
""",
    scheme=r"""
1 point: the starting value ln V ≈ 10.4 (or perplexity ≈ V) **and** why the mean: the scale of loss/
gradient does not depend on batch size or sequence length (learning rate, comparability). 0 points:
only the formula.
""",
)
