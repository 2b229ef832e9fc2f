"""Planted misconceptions of Training Math, exercises 6-10 (sizing a run: parameter counts,
Chinchilla, MFU, loss scaling, ZeRO). Each body replaces one function's solution region; `hint` is
a piece of the hint the visible checks print for exactly this mistake (the tests assert it)."""

from __future__ import annotations

from ..embedding_space_math.entry import Misconception, _m


def _count(
    kv: str = "d_model // n_heads * n_kv_heads",
    mlp: int = 3,
    norms: str = "2 * d_model",
    final: str = "d_model",
    tables: str = "(1 if tied else 2)",
) -> str:
    """llama_param_count's body with one term changed."""
    return (
        f"d_kv = {kv}\n"
        f"per_layer = 2 * d_model * d_model + 2 * d_model * d_kv + {mlp} * d_model * d_ff + {norms}\n"
        f"return vocab * d_model * {tables} + n_layers * per_layer + {final}"
    )


def _zero(
    k: str = "{'adam': 12, 'momentum': 8, 'sgd': 4}[optimizer]",
    grad_bytes: int = 2,
    firsts: tuple[int, int, int] = (3, 2, 1),
    divide: str = "-(-b // n_gpus)",
    unit: str = "",
) -> str:
    """zero_memory_per_gpu's body with one term changed: firsts = the first stage that partitions
    the parameters, the gradients and the optimizer states."""
    return (
        f"k = {k}\n"
        f"parts = [(2 * n_params, {firsts[0]}), ({grad_bytes} * n_params, {firsts[1]}), (k * n_params, {firsts[2]})]\n"
        f"return sum({divide} if stage >= first else b for b, first in parts){unit}"
    )


def _scale(
    check: str = "np.isfinite(a).all()",
    skipped: str = "None, scale * backoff_factor, 0",
    unscale: str = "a / scale",
    grow: str = "k >= growth_interval",
    grown: str = "scale * growth_factor, 0",
) -> str:
    """dynamic_loss_scale_step's body with one part changed (k counts this step)."""
    return (
        "arrays = [np.asarray(g, dtype=float) for g in grads]\n"
        f"if not all({check} for a in arrays):\n"
        f"    return {skipped}\n"
        f"unscaled = [{unscale} for a in arrays]\n"
        "k = good_steps + 1\n"
        f"if {grow}:\n"
        f"    return unscaled, {grown}\n"
        "return unscaled, scale, k"
    )


# fmt: off
WRONG_6_10: dict[str, Misconception] = {
    # 6 llama_param_count
    "count_float": _m(6, "llama_param_count", _count(kv="d_model / n_heads * n_kv_heads"),
        "d_model / n_heads makes the count a float", "d_model / n_heads gives a float"),
    "count_mha_kv": _m(6, "llama_param_count", _count(kv="d_model"),
        "W_k and W_v as wide as W_q (ignores GQA)", "only n_kv_heads heads"),
    "count_kv_without_head_size": _m(6, "llama_param_count", _count(kv="d_model * n_kv_heads"),
        "a K/V head as wide as d_model", "each K/V head has d_model / n_heads numbers"),
    "count_mlp_two_matrices": _m(6, "llama_param_count", _count(mlp=2),
        "a GPT-2 MLP: two matrices", "SwiGLU has three"),
    "count_no_norms": _m(6, "llama_param_count", _count(norms="0", final="0"),
        "forgets the RMSNorm weights", "the RMSNorm weights count too"),
    "count_no_final_norm": _m(6, "llama_param_count", _count(final="0"),
        "forgets the final RMSNorm", "the final RMSNorm after the last layer"),
    "count_always_tied": _m(6, "llama_param_count", _count(tables="1"),
        "never counts the output head", "untied, the output head is a second"),
    "count_always_untied": _m(6, "llama_param_count", _count(tables="2"),
        "counts the output head even when tied", "tied=True means the output head IS"),
    # 7 chinchilla_optimal
    "chinchilla_no_six": _m(7, "chinchilla_optimal",
        "n = math.sqrt(compute_flops / tokens_per_param)\nreturn n, tokens_per_param * n",
        "drops the 6 of C = 6ND", "(C = 6ND)"),
    "chinchilla_forward_only": _m(7, "chinchilla_optimal",
        "n = math.sqrt(compute_flops / (2 * tokens_per_param))\nreturn n, tokens_per_param * n",
        "C = 2ND, the forward pass only", "that is the forward pass alone"),
    "chinchilla_no_sqrt": _m(7, "chinchilla_optimal",
        "n = compute_flops / (6 * tokens_per_param)\nreturn n, tokens_per_param * n",
        "solves C = 6 r N as if it were linear in N", "N is a square root"),
    "chinchilla_swapped": _m(7, "chinchilla_optimal",
        "n = math.sqrt(compute_flops / (6 * tokens_per_param))\nreturn tokens_per_param * n, n",
        "returns (tokens, params)", "return (n_params, n_tokens) in that order"),
    "chinchilla_fixed_20": _m(7, "chinchilla_optimal",
        "n = math.sqrt(compute_flops / 120)\nreturn n, 20 * n",
        "ignores tokens_per_param", "use the tokens_per_param argument"),
    # 8 mfu
    "mfu_percent": _m(8, "mfu",
        "return 100 * tokens_per_second * (6 * n_params + 12 * n_layers * seq_len * d_model) / peak_flops",
        "a percentage", "not a percentage"),
    "mfu_no_attention": _m(8, "mfu",
        "return tokens_per_second * 6 * n_params / peak_flops",
        "6N only", "6N leaves out attention"),
    "mfu_attention_d_squared": _m(8, "mfu",
        "return tokens_per_second * (6 * n_params + 12 * n_layers * d_model * d_model) / peak_flops",
        "12 L d^2 for attention", "not with d_model twice"),
    "mfu_attention_t_squared": _m(8, "mfu",
        "return tokens_per_second * (6 * n_params + 12 * n_layers * seq_len ** 2 * d_model) / peak_flops",
        "counts a whole sequence's attention per token", "seq_len squared counts a whole sequence"),
    "mfu_forward_only": _m(8, "mfu",
        "return tokens_per_second * (2 * n_params + 4 * n_layers * seq_len * d_model) / peak_flops",
        "the forward pass's FLOPs only", "three times the forward FLOPs"),
    "mfu_inverted": _m(8, "mfu",
        "return peak_flops / (tokens_per_second * (6 * n_params + 12 * n_layers * seq_len * d_model))",
        "peak over achieved", "achieved over peak"),
    # 9 dynamic_loss_scale_step
    "scale_multiplies": _m(9, "dynamic_loss_scale_step", _scale(unscale="a * scale"),
        "multiplies by the scale again", "divide by it"),
    "scale_applies_overflow": _m(9, "dynamic_loss_scale_step",
        _scale(skipped="arrays, scale * backoff_factor, 0"),
        "returns the inf gradients instead of skipping", "return None instead of gradients"),
    "scale_no_backoff": _m(9, "dynamic_loss_scale_step", _scale(skipped="None, scale, 0"),
        "keeps the scale after an overflow", "must back off after an overflow"),
    "scale_keeps_count_on_overflow": _m(9, "dynamic_loss_scale_step",
        _scale(skipped="None, scale * backoff_factor, good_steps"),
        "an overflow does not restart the count", "an overflow ends the run of good steps"),
    "scale_only_inf": _m(9, "dynamic_loss_scale_step", _scale(check="not np.isinf(a).any()"),
        "np.isinf misses NaN", "np.isinf misses NaN"),
    "scale_grows_late": _m(9, "dynamic_loss_scale_step", _scale(grow="good_steps >= growth_interval"),
        "compares the count before counting this step", "count this step before comparing"),
    "scale_no_reset_after_growth": _m(9, "dynamic_loss_scale_step",
        _scale(grown="scale * growth_factor, k"),
        "keeps counting after the scale grows", "the count restarts at 0 after the scale grows"),
    "scale_unscales_with_new_scale": _m(9, "dynamic_loss_scale_step",
        "arrays = [np.asarray(g, dtype=float) for g in grads]\n"
        "if not all(np.isfinite(a).all() for a in arrays):\n"
        "    return None, scale * backoff_factor, 0\n"
        "k = good_steps + 1\n"
        "if k >= growth_interval:\n"
        "    scale, k = scale * growth_factor, 0\n"
        "return [a / scale for a in arrays], scale, k",
        "grows the scale before unscaling", "unscale them with it"),
    "scale_fixed_factors": _m(9, "dynamic_loss_scale_step",
        _scale(skipped="None, scale * 0.5, 0", grown="scale * 2.0, 0"),
        "ignores growth_factor and backoff_factor", "use the backoff_factor and growth_factor arguments"),
    # 10 zero_memory_per_gpu
    "zero_no_master_copy": _m(10, "zero_memory_per_gpu",
        _zero(k="{'adam': 8, 'momentum': 4, 'sgd': 0}[optimizer]"),
        "forgets the fp32 master weights", "THREE fp32 numbers per parameter"),
    "zero_fp32_gradients": _m(10, "zero_memory_per_gpu", _zero(grad_bytes=4),
        "4-byte gradients", "the gradients are fp16"),
    "zero_stage1_splits_gradients": _m(10, "zero_memory_per_gpu", _zero(firsts=(3, 1, 1)),
        "partitions the gradients from stage 1", "the gradients are partitioned from stage 2 on"),
    "zero_stage1_splits_nothing": _m(10, "zero_memory_per_gpu", _zero(firsts=(3, 2, 2)),
        "stage 1 partitions nothing", "stage 1 already partitions the optimizer states"),
    "zero_stage3_keeps_params": _m(10, "zero_memory_per_gpu", _zero(firsts=(4, 2, 1)),
        "never partitions the parameters", "stage 3 partitions the fp16 parameters as well"),
    "zero_float": _m(10, "zero_memory_per_gpu", _zero(divide="b / n_gpus"),
        "true division gives a float", "bytes are whole numbers"),
    "zero_gigabytes": _m(10, "zero_memory_per_gpu", _zero(divide="b / n_gpus", unit=" / 1e9"),
        "returns GB", "return bytes"),
    "zero_adam_always": _m(10, "zero_memory_per_gpu", _zero(k="12"),
        "12 bytes of states whatever the optimizer", "SGD keeps only fp32 master weights"),
}
# fmt: on
