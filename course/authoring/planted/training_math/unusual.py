"""Correct answers to Training Math written the way students do write them (loops, math instead
of NumPy, float32, tuples or arrays instead of lists, divmod, Python's own integers): each must
keep full points, visible and hidden.

Runs in: the test process (tests/test_training_math.py plants them like misconceptions).
"""

from __future__ import annotations

from ..embedding_space_math.entry import Misconception

# fmt: off
_UNUSUAL: dict[str, tuple[int, str, str]] = {
    "clip_loops_math_tuple": (1, "clip_grad_norm",
        "import math\n"
        "squares = 0.0\n"
        "for g in grads:\n"
        "    for x in np.ravel(g):\n"
        "        squares += float(x) ** 2\n"
        "norm = math.sqrt(squares)\n"
        "factor = max_norm / (norm + 1e-6) if norm + 1e-6 > max_norm else 1.0\n"
        "return tuple(np.array(g, dtype=float) * factor for g in grads), norm"),
    "clip_concat_float32": (1, "clip_grad_norm",
        "flat = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in grads])\n"
        "total = np.linalg.norm(flat)\n"
        "f = np.float32(min(1.0, max_norm / (total + 1e-6)))\n"
        "return [np.asarray(g, dtype=np.float32) * f for g in grads], total"),
    "lr_numpy_clip": (2, "warmup_cosine_lr",
        "if step < warmup_steps:\n"
        "    return max_lr * (step / warmup_steps)\n"
        "p = np.clip((step - warmup_steps) / max(total_steps - warmup_steps, 1), 0.0, 1.0)\n"
        "return min_lr + (max_lr - min_lr) * (np.cos(np.pi * p) + 1) / 2"),
    "flops_sum_of_passes": (3, "training_flops",
        "forward = 2 * int(n_params) * int(n_tokens)\n"
        "backward = 2 * forward\n"
        "return forward + backward"),
    "momentum_float32_lists": (4, "sgd_momentum_step",
        "v = np.add(np.multiply(momentum, np.array(velocity, dtype=np.float32)), np.array(grad, dtype=np.float32))\n"
        "return np.subtract(np.array(param, dtype=np.float32), lr * v), v"),
    "adamw_pytorch_form": (5, "adamw_step",
        "import math\n"
        "g = np.asarray(grad, dtype=float)\n"
        "p = np.asarray(param, dtype=float) * (1 - lr * weight_decay)\n"
        "m2 = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g\n"
        "v2 = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * np.square(g)\n"
        "step_size = lr / (1 - beta1 ** t)\n"
        "denom = np.sqrt(v2) / math.sqrt(1 - beta2 ** t) + eps\n"
        "return p - step_size * m2 / denom, m2, v2"),
    "count_layer_loop_int64": (6, "llama_param_count",
        "head = d_model // n_heads\n"
        "total = np.int64(vocab) * d_model\n"
        "if not tied:\n"
        "    total += np.int64(vocab) * d_model\n"
        "for _ in range(n_layers):\n"
        "    total += d_model * d_model * 2               # W_q, W_o\n"
        "    total += 2 * d_model * head * n_kv_heads     # W_k, W_v\n"
        "    total += d_model * d_ff * 3                  # gate, up, down\n"
        "    total += d_model + d_model                   # two RMSNorms\n"
        "return total + d_model"),
    "chinchilla_numpy_array": (7, "chinchilla_optimal",
        "n = (compute_flops / 6 / tokens_per_param) ** 0.5\n"
        "return np.array([n, n * tokens_per_param])"),
    "mfu_step_by_step": (8, "mfu",
        "dense = 6 * n_params\n"
        "attention = 12 * n_layers * seq_len * d_model\n"
        "achieved = np.float64(tokens_per_second) * (dense + attention)\n"
        "return achieved / peak_flops"),
    "scale_divmod": (9, "dynamic_loss_scale_step",
        "arrays = [np.asarray(g, dtype=float) for g in grads]\n"
        "if not np.isfinite(np.concatenate([a.ravel() for a in arrays])).all():\n"
        "    return None, scale * backoff_factor, 0\n"
        "grown, count = divmod(good_steps + 1, growth_interval)\n"
        "return [a / scale for a in arrays], scale * growth_factor ** grown, count"),
    "scale_loop_tuple": (9, "dynamic_loss_scale_step",
        "import math\n"
        "for g in grads:\n"
        "    for x in np.ravel(g):\n"
        "        if math.isnan(x) or math.isinf(x):\n"
        "            return None, scale * backoff_factor, 0\n"
        "out = tuple(np.array(g, dtype=float) / scale for g in grads)\n"
        "if good_steps + 1 == growth_interval:\n"
        "    return out, scale * growth_factor, 0\n"
        "return out, scale, good_steps + 1"),
    "zero_math_ceil": (10, "zero_memory_per_gpu",
        "import math\n"
        "k = dict(adam=12, momentum=8, sgd=4)[optimizer]\n"
        "params, grads, states = 2 * n_params, 2 * n_params, k * n_params\n"
        "if stage >= 1:\n"
        "    states = math.ceil(states / n_gpus)\n"
        "if stage >= 2:\n"
        "    grads = math.ceil(grads / n_gpus)\n"
        "if stage >= 3:\n"
        "    params = math.ceil(params / n_gpus)\n"
        "return int(params + grads + states)"),
}
# fmt: on

UNUSUAL: dict[str, Misconception] = {
    name: Misconception(n, function, body, f"correct, written unusually: {name}")
    for name, (n, function, body) in _UNUSUAL.items()
}
