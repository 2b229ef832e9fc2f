"""Planted misconceptions of Training Math, exercises 1-5 (the update: clipping, the schedule,
6ND, momentum, AdamW). Each body replaces one function's solution region; `hint` is a piece of
the hint the visible checks print for exactly this mistake (the tests assert it)."""

from __future__ import annotations

from ..embedding_space_math.entry import Misconception, _m

# fmt: off
WRONG_1_5: dict[str, Misconception] = {
    # 1 clip_grad_norm
    "clip_per_tensor": _m(1, "clip_grad_norm",
        "out = []\n"
        "for g in grads:\n"
        "    a = np.asarray(g, dtype=float)\n"
        "    out.append(a * min(1.0, max_norm / (float(np.linalg.norm(a)) + 1e-6)))\n"
        "return out, float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads)))",
        "clips every tensor by its own norm", "clipped by its OWN norm"),
    "clip_norm_sum_of_norms": _m(1, "clip_grad_norm",
        "total = float(sum(np.linalg.norm(np.asarray(g, dtype=float)) for g in grads))\n"
        "return [np.asarray(g, dtype=float) * min(1.0, max_norm / (total + 1e-6)) for g in grads], total",
        "adds the tensors' norms instead of their squares", "sum of the two arrays' own norms"),
    "clip_norm_squared": _m(1, "clip_grad_norm",
        "total = float(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads))\n"
        "return [np.asarray(g, dtype=float) * min(1.0, max_norm / (total + 1e-6)) for g in grads], total",
        "forgets the square root", "is the squared norm"),
    "clip_scales_up": _m(1, "clip_grad_norm",
        "total = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads)))\n"
        "return [np.asarray(g, dtype=float) * (max_norm / (total + 1e-6)) for g in grads], total",
        "rescales every gradient to max_norm, small ones too", "only ever shrinks"),
    "clip_factor_inverted": _m(1, "clip_grad_norm",
        "total = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads)))\n"
        "return [np.asarray(g, dtype=float) * (total / max_norm) for g in grads], total",
        "multiplies by norm / threshold", "the factor is upside down"),
    "clip_reports_clipped_norm": _m(1, "clip_grad_norm",
        "total = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads)))\n"
        "clipped = [np.asarray(g, dtype=float) * min(1.0, max_norm / (total + 1e-6)) for g in grads]\n"
        "return clipped, float(np.sqrt(sum(np.sum(c ** 2) for c in clipped)))",
        "returns the norm after clipping", "the norm BEFORE clipping"),
    "clip_in_place": _m(1, "clip_grad_norm",
        "total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))\n"
        "for g in grads:\n"
        "    g *= min(1.0, max_norm / (total + 1e-6))\n"
        "return grads, total",
        "clips the caller's arrays in place, as torch does", "the caller's array must not change"),
    # 2 warmup_cosine_lr
    "lr_warmup_from_min": _m(2, "warmup_cosine_lr",
        "if step < warmup_steps:\n"
        "    return min_lr + (max_lr - min_lr) * step / warmup_steps\n"
        "if step > total_steps:\n"
        "    return min_lr\n"
        "p = (step - warmup_steps) / (total_steps - warmup_steps)\n"
        "return min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * p))",
        "warms up from min_lr", "the warmup starts from 0, not from min_lr"),
    "lr_warmup_off_by_one": _m(2, "warmup_cosine_lr",
        "if step < warmup_steps:\n"
        "    return max_lr * (step + 1) / warmup_steps\n"
        "if step > total_steps:\n"
        "    return min_lr\n"
        "p = (step - warmup_steps) / (total_steps - warmup_steps)\n"
        "return min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * p))",
        "counts warmup steps from 1", "steps count from 0"),
    "lr_cosine_over_total": _m(2, "warmup_cosine_lr",
        "if step < warmup_steps:\n"
        "    return max_lr * step / warmup_steps\n"
        "if step > total_steps:\n"
        "    return min_lr\n"
        "return min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * step / total_steps))",
        "runs the cosine over all total_steps", "over the steps after the warmup"),
    "lr_no_half": _m(2, "warmup_cosine_lr",
        "if step < warmup_steps:\n"
        "    return max_lr * step / warmup_steps\n"
        "if step > total_steps:\n"
        "    return min_lr\n"
        "p = (step - warmup_steps) / (total_steps - warmup_steps)\n"
        "return min_lr + (max_lr - min_lr) * (1 + math.cos(math.pi * p))",
        "forgets the 1/2 of the cosine", "has a factor 1/2"),
    "lr_ignores_min": _m(2, "warmup_cosine_lr",
        "if step < warmup_steps:\n"
        "    return max_lr * step / warmup_steps\n"
        "p = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))\n"
        "return 0.5 * max_lr * (1 + math.cos(math.pi * p))",
        "decays to 0 whatever min_lr", "the decay ends at min_lr, not at 0"),
    "lr_linear_decay": _m(2, "warmup_cosine_lr",
        "if step < warmup_steps:\n"
        "    return max_lr * step / warmup_steps\n"
        "if step > total_steps:\n"
        "    return min_lr\n"
        "return max_lr - (max_lr - min_lr) * (step - warmup_steps) / (total_steps - warmup_steps)",
        "decays linearly", "half a cosine wave"),
    "lr_no_floor_after_end": _m(2, "warmup_cosine_lr",
        "if step < warmup_steps:\n"
        "    return max_lr * step / warmup_steps\n"
        "p = (step - warmup_steps) / (total_steps - warmup_steps)\n"
        "return min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * p))",
        "lets the cosine swing back up after total_steps", "must not swing back up"),
    # 3 training_flops
    "flops_forward_only": _m(3, "training_flops",
        "return 2 * n_params * n_tokens",
        "counts the forward pass only", "the forward pass only"),
    "flops_backward_only": _m(3, "training_flops",
        "return 4 * n_params * n_tokens",
        "counts the backward pass only", "the backward pass only"),
    "flops_macs": _m(3, "training_flops",
        "return 3 * n_params * n_tokens",
        "counts multiply-adds, not FLOPs", "you counted multiply-adds"),
    "flops_float": _m(3, "training_flops",
        "return 6.0 * n_params * n_tokens",
        "a float", "FLOP counts here are exact integers"),
    "flops_int64_overflow": _m(3, "training_flops",
        "return np.int64(6) * np.int64(n_params) * np.int64(n_tokens)",
        "NumPy int64 overflows at 5.88e23", "NumPy int64 overflowed"),
    # 4 sgd_momentum_step
    "momentum_dampened": _m(4, "sgd_momentum_step",
        "v = momentum * np.asarray(velocity, dtype=float) + (1 - momentum) * np.asarray(grad, dtype=float)\n"
        "return np.asarray(param, dtype=float) - lr * v, v",
        "an exponential average instead of PyTorch's sum", "weighting it by (1 - momentum)"),
    "momentum_lr_in_velocity": _m(4, "sgd_momentum_step",
        "v = momentum * np.asarray(velocity, dtype=float) - lr * np.asarray(grad, dtype=float)\n"
        "return np.asarray(param, dtype=float) + v, v",
        "Sutskever's velocity, which holds the learning rate", "Sutskever's form"),
    "momentum_swapped_return": _m(4, "sgd_momentum_step",
        "v = momentum * np.asarray(velocity, dtype=float) + np.asarray(grad, dtype=float)\n"
        "return v, np.asarray(param, dtype=float) - lr * v",
        "returns (velocity, param)", "return (param, velocity) in that order"),
    "momentum_forgets_velocity": _m(4, "sgd_momentum_step",
        "v = np.asarray(grad, dtype=float)\n"
        "return np.asarray(param, dtype=float) - lr * v, v",
        "the velocity is just the gradient", "keeps momentum times its old value"),
    "momentum_steps_with_old_velocity": _m(4, "sgd_momentum_step",
        "new_v = momentum * np.asarray(velocity, dtype=float) + np.asarray(grad, dtype=float)\n"
        "return np.asarray(param, dtype=float) - lr * np.asarray(velocity, dtype=float), new_v",
        "steps with the velocity from before this gradient", "not the old one"),
    "momentum_nesterov": _m(4, "sgd_momentum_step",
        "g = np.asarray(grad, dtype=float)\n"
        "v = momentum * np.asarray(velocity, dtype=float) + g\n"
        "return np.asarray(param, dtype=float) - lr * (g + momentum * v), v",
        "Nesterov's look-ahead", "Nesterov's look-ahead step"),
    "momentum_ascent": _m(4, "sgd_momentum_step",
        "v = momentum * np.asarray(velocity, dtype=float) + np.asarray(grad, dtype=float)\n"
        "return np.asarray(param, dtype=float) + lr * v, v",
        "steps uphill", "step against the gradient"),
    "momentum_fixed_09": _m(4, "sgd_momentum_step",
        "v = 0.9 * np.asarray(velocity, dtype=float) + np.asarray(grad, dtype=float)\n"
        "return np.asarray(param, dtype=float) - lr * v, v",
        "ignores the momentum argument", "use the momentum argument"),
    "momentum_in_place": _m(4, "sgd_momentum_step",
        "velocity *= momentum\n"
        "velocity += grad\n"
        "param -= lr * velocity\n"
        "return param, velocity",
        "updates the caller's arrays in place", "the caller's array must not change"),
    # 5 adamw_step
    "adamw_is_adam_l2": _m(5, "adamw_step",
        "g = np.asarray(grad, dtype=float) + weight_decay * np.asarray(param, dtype=float)\n"
        "m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g\n"
        "v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g * g\n"
        "m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)\n"
        "return np.asarray(param, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
        "puts the weight decay into the gradient (Adam + L2)", "Adam with L2"),
    "adamw_betas_swapped": _m(5, "adamw_step",
        "g = np.asarray(grad, dtype=float)\n"
        "p = np.asarray(param, dtype=float) * (1 - lr * weight_decay)\n"
        "m = beta2 * np.asarray(m, dtype=float) + (1 - beta2) * g\n"
        "v = beta1 * np.asarray(v, dtype=float) + (1 - beta1) * g * g\n"
        "return p - lr * (m / (1 - beta2 ** t)) / (np.sqrt(v / (1 - beta1 ** t)) + eps), m, v",
        "swaps beta1 and beta2", "yours are swapped"),
    "adamw_m_not_averaged": _m(5, "adamw_step",
        "g = np.asarray(grad, dtype=float)\n"
        "p = np.asarray(param, dtype=float) * (1 - lr * weight_decay)\n"
        "m = beta1 * np.asarray(m, dtype=float) + g\n"
        "v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g * g\n"
        "return p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v",
        "adds the whole gradient to m", "weighted by (1 - beta1)"),
    "adamw_v_not_squared": _m(5, "adamw_step",
        "g = np.asarray(grad, dtype=float)\n"
        "p = np.asarray(param, dtype=float) * (1 - lr * weight_decay)\n"
        "m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g\n"
        "v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g\n"
        "with np.errstate(invalid='ignore'):\n"
        "    return p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v",
        "averages the gradient instead of its square in v", "not the gradient"),
    "adamw_no_bias_correction": _m(5, "adamw_step",
        "g = np.asarray(grad, dtype=float)\n"
        "p = np.asarray(param, dtype=float) * (1 - lr * weight_decay)\n"
        "m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g\n"
        "v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g * g\n"
        "return p - lr * m / (np.sqrt(v) + eps), m, v",
        "no bias correction", "the bias correction divides them"),
    "adamw_t_from_zero": _m(5, "adamw_step",
        "g = np.asarray(grad, dtype=float)\n"
        "p = np.asarray(param, dtype=float) * (1 - lr * weight_decay)\n"
        "m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g\n"
        "v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g * g\n"
        "return p - lr * (m / (1 - beta1 ** (t + 1))) / (np.sqrt(v / (1 - beta2 ** (t + 1))) + eps), m, v",
        "treats t as counting from 0", "t counts from 1"),
    "adamw_decay_without_lr": _m(5, "adamw_step",
        "g = np.asarray(grad, dtype=float)\n"
        "p = np.asarray(param, dtype=float) * (1 - weight_decay)\n"
        "m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g\n"
        "v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g * g\n"
        "return p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v",
        "decays by weight_decay, not lr * weight_decay", "scaled by the learning rate too"),
    "adamw_no_sqrt": _m(5, "adamw_step",
        "g = np.asarray(grad, dtype=float)\n"
        "p = np.asarray(param, dtype=float) * (1 - lr * weight_decay)\n"
        "m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g\n"
        "v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g * g\n"
        "return p - lr * (m / (1 - beta1 ** t)) / (v / (1 - beta2 ** t) + eps), m, v",
        "divides by v-hat, not its root", "not by v-hat"),
}
# fmt: on
