"""The corpus of realistic single-bug submissions, each with the diagnosis a teacher would give.

Two sources, one list (``bugs()``):
- every known mistake of ``solutions/mistakes.py`` put into the reference (its teacher's words: its
  hint, unless ``MISTAKE_NEEDLES`` names the pattern diagnosis that says it);
- every hand-written file of ``tests/variants/buggy/`` (``BUGGY_NEEDLES``), assembled with the reference.

A bug's report *names the exact mistake* when the needle (a stable substring of the English
message) appears in the output of a failing check of the bug's function; it is *misled* when such an
output quotes the hint of another known mistake. ``verdict`` says both; the corpus test and
``benchmarks/diagnosis_rate.py`` measure the rate with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.contract import REFERENCE_FILE
from grader.reference import apply_mistake, load_mistakes
from tests.variants.build import BUGGY_DIR, assemble

# file -> (function, needle). Where the found cause is one a teacher would name, in its words.
BUGGY_NEEDLES: dict[str, tuple[str, str]] = {
    "backward_db1_wrong_axis.py": ("backward_propagation", "db1 has one entry per sample"),
    "backward_db2_mean_flat.py": ("backward_propagation", "db2 lost its row dimension"),
    "backward_error_from_z2.py": ("backward_propagation", "dZ2 is computed from Z2"),
    "backward_through_dw2.py": ("backward_propagation", "dZ1 is computed with the gradient dW2"),
    "backward_mean_then_divide.py": ("backward_propagation", "it is divided by m twice"),
    "backward_sign_einsum.py": ("backward_propagation", "dZ2 has the wrong sign"),
    "backward_sums_lose_rows.py": ("backward_propagation", "lost its row dimension"),
    "backward_tanh_matrix_product.py": ("backward_propagation", "where an element-wise product (*) belongs"),
    "batches_own_generator.py": ("batch_generator", "the one np.random.default_rng(2024) gives"),
    "batches_seed_inside.py": ("batch_generator", "the one np.random.seed(1) gives"),
    "backward_db_summed_everything.py": ("backward_propagation", "the sum ran over every axis"),
    "batches_returns_list.py": ("batch_generator", "use yield"),
    "batches_hardcoded_size.py": ("batch_generator", "the batch size looks written as a number"),
    "batches_keeps_partial.py": ("batch_generator", "the last, incomplete batch"),
    "batches_flat_labels.py": ("batch_generator", "Y_batch became flat"),
    "cost_1x1_array.py": ("compute_cost", "cost.item()"),
    "cost_axis1_mean.py": ("compute_cost", "one value per sample"),
    "cost_dot_summed.py": ("compute_cost", "an outer product"),
    "cost_flat_labels.py": ("compute_cost", "a column met a flat (m,) array"),
    "cost_losses_per_sample.py": ("compute_cost", "the mean over the samples is missing"),
    "cost_item_array.py": ("compute_cost", "cost.item()"),
    "cost_outer_product.py": ("compute_cost", "outer product"),
    "cost_sign.py": ("compute_cost", "minus in front of the mean"),
    "cost_sum_keeps_backward_points.py": ("compute_cost", "the cost is a sum over the samples, not a mean"),
    "forward_a1_transposed_in_cache.py": ("forward_propagation", "A1'] looks transposed"),
    "forward_b1_wrong_layer.py": ("forward_propagation", "An array of the other layer came in"),
    "forward_cache_a1_is_z1.py": ("forward_propagation", "holds the values of Z1"),
    "forward_cache_missing_key.py": ("forward_propagation", "missing Z2"),
    "forward_clips_parameters.py": ("forward_propagation", "changed parameters['W1']"),
    "forward_one_output_sum.py": ("forward_propagation", "The code assumes one output unit"),
    "forward_tanh_overwrites_z1.py": ("forward_propagation", "holds the values of A1"),
    "init_b1_flat.py": ("initialize_parameters", "a bias is a row of shape"),
    "init_hardcoded_sizes.py": ("initialize_parameters", "instead of taken from the argument input_dim"),
    "init_he_scaling.py": ("initialize_parameters", "He initialisation"),
    "init_over_fan_in.py": ("initialize_parameters", "itself, not by"),
    "init_seed_per_layer.py": ("initialize_parameters", "repeats the first random numbers after np.random.seed(42)"),
    "init_w1_transposed.py": ("initialize_parameters", "W1 looks transposed"),
    "init_zero_weights.py": ("initialize_parameters", "W1 is all zeros"),
    "update_b2_flat.py": ("update_parameters", "b2 lost its row dimension in the update"),
    "update_uses_old_parameters.py": ("update_parameters", "W1 did not move"),
    "update_w2_with_db2.py": ("update_parameters", "W2 was moved by learning_rate times db2"),
    "update_weights_only.py": ("update_parameters", "b1 did not move"),
}
# mistake name -> needle, where the report says it in other words than the mistake's hint (a shape, or
# batch_generator's own messages)
MISTAKE_NEEDLES: dict[str, str] = {
    "backward_no_keepdims": "db1 lost its row dimension",
    "backward_dw2_transposed": "dW2 looks transposed",
    "backward_db1_from_dz2": "An array of the other layer came in",
    "backward_db2_all_axes": "the sum ran over every axis",
    "backward_flat_labels": "A2 - Y broadcast",
    "batches_partial_last": "the last, incomplete batch",
    "batches_one_short": "one batch too early",
    "batches_no_shuffle": "the samples come in their original order",
    "batches_reseeded": "the one np.random.seed(42) gives",
    "batches_with_replacement": "some samples appear more than once",
    "batches_unpaired": "are not paired any more",
}


@dataclass(frozen=True)
class Bug:
    name: str
    function: str
    needle: str
    source: Path | None = None  # a hand-written buggy file; None: the known mistake ``name``


def bugs() -> list[Bug]:
    corpus = [Bug(m.name, m.function, MISTAKE_NEEDLES.get(m.name, m.hint)) for m in load_mistakes(REFERENCE_FILE)]
    corpus += [Bug("buggy-" + Path(name).stem, function, needle, BUGGY_DIR / name)
               for name, (function, needle) in sorted(BUGGY_NEEDLES.items())]
    return corpus


def write(bug: Bug, folder: Path) -> Path:
    """The full submission of ``bug`` in ``folder`` (one file per bug, so its report is graded once)."""
    if bug.source is not None:
        return assemble(bug.source, folder / bug.name)
    mistake = next(m for m in load_mistakes(REFERENCE_FILE) if m.name == bug.name)
    path = folder / bug.name / "two_layer_net.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(apply_mistake(REFERENCE_FILE.read_text(encoding="utf-8"), mistake), encoding="utf-8")
    return path


def own_failures(report, bug: Bug) -> list:
    return [r for r in report.results if not r.passed and r.function == bug.function]


def verdict(report, bug: Bug, english: bool = True) -> tuple[bool, list[str]]:
    """(the report names the exact mistake, the other mistakes' hints it quotes: misleading). On a
    report in another language only the second part is meaningful."""
    outputs = [r.output for r in own_failures(report, bug)]
    named = english and any(bug.needle in output for output in outputs)
    own_hint = next((m.hint for m in load_mistakes(REFERENCE_FILE) if m.name == bug.name), None)
    misleading = [m.name for m in load_mistakes(REFERENCE_FILE) if m.hint != own_hint and m.function == bug.function
                  and any(f"common mistake: {m.hint}" in output for output in outputs)
                  and bug.needle not in m.hint]
    return named, misleading
