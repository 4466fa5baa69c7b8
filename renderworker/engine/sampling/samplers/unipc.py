"""UniPC (Zhao et al. 2023), multistep predictor-corrector with B(h) = h (bh1) or e^h - 1 (bh2).

ComfyUI runs it in variance-preserving space driven by sigma directly:
  alpha(sigma) = 1/sqrt(1+sigma²) (via 0.5·log(1/(sigma²+1))), s(sigma) = sqrt(1 - alpha²),
  λ = log alpha - log s, x_vp = x/sqrt(1+sigma₀²) at the start and x = x_vp/alpha(sigma_last)
  at the end, the model's ε from the denoiser at x_vp·sqrt(sigma²+1), and the data prediction
  x₀ = (x_vp - s·ε)/alpha.
A final sigma of 0 is replaced by 0.001 (λ would be infinite). Order = min(3, steps - 1),
lowered to 2 and 1 for the last two updates. The first loop iteration only evaluates the model
and the last one makes two updates, the final one without a corrector; each corrector's model
value is reused by the next update, so a run costs `steps` model calls. A 1-step run therefore
returns its input (rescaled) without any update, as ComfyUI's does.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .context import SamplingContext

MAX_ORDER = 3
FINAL_SIGMA = 0.001


def _log_alpha(sigma: Tensor) -> Tensor:
    return 0.5 * torch.log(1 / ((sigma * sigma) + 1))


def _alpha(sigma: Tensor) -> Tensor:
    return torch.exp(_log_alpha(sigma))


def _std(sigma: Tensor) -> Tensor:
    return torch.sqrt(1.0 - torch.exp(2.0 * _log_alpha(sigma)))


def _half_log_snr(sigma: Tensor) -> Tensor:
    log_alpha = _log_alpha(sigma)
    log_std = 0.5 * torch.log(1.0 - torch.exp(2.0 * log_alpha))
    return log_alpha - log_std


def _per_sample(values: Tensor, ndim: int) -> Tensor:
    return values[(...,) + (None,) * (ndim - 1)]


def _contract(weights: Tensor, stacked: Tensor) -> Tensor:
    """Σ_k weights[k]·stacked[:, k]."""
    if stacked.ndim == 5:
        return torch.einsum("k,bkchw->bchw", weights, stacked)
    return torch.einsum("k,bk...->b...", weights, stacked)


class _UniPC:
    def __init__(self, ctx: SamplingContext, *, variant: str) -> None:
        self.ctx = ctx
        self.variant = variant

    def data_prediction(self, x: Tensor, t: Tensor) -> Tensor:
        sigma = t.view(t.shape[:1] + (1,) * (x.ndim - 1))
        model_input = x * ((sigma**2 + 1.0) ** 0.5)
        eps = (model_input - self.ctx.denoiser(model_input, t)) / sigma
        alpha_t, std_t = _alpha(t), _std(t)
        return (x - _per_sample(std_t, x.ndim) * eps) / _per_sample(alpha_t, x.ndim)

    def update(
        self,
        x: Tensor,
        model_prev_list: list[Tensor],
        t_prev_list: list[Tensor],
        t: Tensor,
        order: int,
        *,
        use_corrector: bool,
    ) -> tuple[Tensor, Tensor | None]:
        ndim = x.ndim
        t_prev_0 = t_prev_list[-1]
        lambda_prev_0 = _half_log_snr(t_prev_0)
        lambda_t = _half_log_snr(t)
        model_prev_0 = model_prev_list[-1]
        std_prev_0, std_t = _std(t_prev_0), _std(t)
        alpha_t = torch.exp(_log_alpha(t))
        h = lambda_t - lambda_prev_0

        rks: list[Tensor] = []
        differences: list[Tensor] = []
        for i in range(1, order):
            lambda_prev_i = _half_log_snr(t_prev_list[-(i + 1)])
            rk = ((lambda_prev_i - lambda_prev_0) / h)[0]
            rks.append(rk)
            differences.append((model_prev_list[-(i + 1)] - model_prev_0) / rk)
        rks.append(torch.ones((), dtype=h.dtype, device=h.device))
        rk_vector = torch.stack(rks)

        hh = -h[0]
        h_phi_1 = torch.expm1(hh)
        h_phi_k = h_phi_1 / hh - 1
        factorial = 1
        b_h = hh if self.variant == "bh1" else torch.expm1(hh)
        r_rows: list[Tensor] = []
        b_values: list[Tensor] = []
        for i in range(1, order + 1):
            r_rows.append(torch.pow(rk_vector, i - 1))
            b_values.append(h_phi_k * factorial / b_h)
            factorial *= i + 1
            h_phi_k = h_phi_k / hh - 1 / factorial
        r_matrix = torch.stack(r_rows)
        b_vector = torch.stack(b_values)

        stacked: Tensor | None = None
        rhos_predictor: Tensor | None = None
        if differences:
            stacked = torch.stack(differences, dim=1)
            if order == 2:
                rhos_predictor = torch.tensor([0.5], device=x.device)
            else:
                rhos_predictor = torch.linalg.solve(r_matrix[:-1, :-1], b_vector[:-1])
        rhos_corrector: Tensor | None = None
        if use_corrector:
            rhos_corrector = (
                torch.tensor([0.5], device=x.device)
                if order == 1
                else torch.linalg.solve(r_matrix, b_vector)
            )

        x_t_ = (
            _per_sample(std_t / std_prev_0, ndim) * x
            - _per_sample(alpha_t * h_phi_1, ndim) * model_prev_0
        )
        predictor_residual: Tensor | int = 0
        if stacked is not None and rhos_predictor is not None:
            predictor_residual = _contract(rhos_predictor, stacked)
        x_t = x_t_ - _per_sample(alpha_t * b_h, ndim) * predictor_residual

        model_t: Tensor | None = None
        if rhos_corrector is not None:
            model_t = self.data_prediction(x_t, t)
            corrector_residual: Tensor | int = 0
            if stacked is not None:
                corrector_residual = _contract(rhos_corrector[:-1], stacked)
            d1_t = model_t - model_prev_0
            x_t = x_t_ - _per_sample(alpha_t * b_h, ndim) * (
                corrector_residual + rhos_corrector[-1] * d1_t
            )
        return x_t, model_t


def _sample_unipc(ctx: SamplingContext, x: Tensor, sigmas: Tensor, *, variant: str) -> Tensor:
    timesteps = sigmas.clone()
    if sigmas[-1] == 0:
        timesteps[-1] = FINAL_SIGMA
    x = x / torch.sqrt(1.0 + timesteps[0] ** 2.0)
    solver = _UniPC(ctx, variant=variant)
    steps = len(timesteps) - 1
    order = min(MAX_ORDER, len(timesteps) - 2)
    batch = x.shape[0]
    model_prev_list: list[Tensor] = []
    t_prev_list: list[Tensor] = []
    for step_index in range(steps):
        ctx.begin_step(step_index)
        if step_index == 0:
            vec_t = timesteps[0].expand(batch)
            model_prev_list = [solver.data_prediction(x, vec_t)]
            t_prev_list = [vec_t]
        elif step_index < order:
            vec_t = timesteps[step_index].expand(batch)
            x, model_x = solver.update(
                x, model_prev_list, t_prev_list, vec_t, step_index, use_corrector=True
            )
            if model_x is None:
                model_x = solver.data_prediction(x, vec_t)
            model_prev_list.append(model_x)
            t_prev_list.append(vec_t)
        else:
            last = step_index + 1 if step_index == steps - 1 else step_index
            for step in range(step_index, last + 1):
                vec_t = timesteps[step].expand(batch)
                step_order = min(order, steps + 1 - step)
                x, model_x = solver.update(
                    x, model_prev_list, t_prev_list, vec_t, step_order, use_corrector=step != steps
                )
                for i in range(order - 1):
                    t_prev_list[i] = t_prev_list[i + 1]
                    model_prev_list[i] = model_prev_list[i + 1]
                t_prev_list[-1] = vec_t
                if step < steps:
                    if model_x is None:
                        model_x = solver.data_prediction(x, vec_t)
                    model_prev_list[-1] = model_x
        ctx.end_step(step_index, model_prev_list[-1])
    return x / _alpha(timesteps[-1])


def uni_pc(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """UniPC with B(h) = h (ComfyUI "uni_pc")."""
    return _sample_unipc(ctx, x, sigmas, variant="bh1")


def uni_pc_bh2(ctx: SamplingContext, x: Tensor, sigmas: Tensor) -> Tensor:
    """UniPC with B(h) = e^h - 1 (ComfyUI "uni_pc_bh2")."""
    return _sample_unipc(ctx, x, sigmas, variant="bh2")
