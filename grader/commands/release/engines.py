"""DIR/engines/: ready-to-use manifests that grade one class on many machines.

Each engine runs N copies of ``backprop-lab grade PATH --out shards/shard-I --shard env`` (the
copy's shard comes from the engine's environment) and then ``backprop-lab merge`` over the
shard folders, from the instructors' checkout (the grader needs ``solutions/``):

    github/grade-shards.yml       a GitHub Actions matrix over shards and a merge job, for the
                                  instructors' private repository (secret: a repository secret)
    kubernetes/volume.yaml        a PersistentVolumeClaim for the shared folder, and a pod to fill it
    kubernetes/grade-job.yaml     an Indexed Job (completions = parallelism = N)
    kubernetes/merge-job.yaml     the follow-up Job that merges
    kubernetes/run.sh             the kubectl steps in order (secret: a Kubernetes Secret)
    slurm/grade.sbatch            a job array (--array=1-N)
    slurm/merge.sbatch            the merge, submitted with --dependency=afterok
    slurm/submit.sh               submits both (secret: solutions/grading-secret, mode 600)

The grading secret never appears in a manifest: each reads it from the engine's own store of
secrets, or from the checkout's file, and the scripts refuse to start without it.
"""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_SHARDS = 4
# output file (under DIR/engines/) -> template (flat, so the package data pattern finds it)
FILES = {
    "github/grade-shards.yml": "engine-github-grade-shards.yml",
    "kubernetes/volume.yaml": "engine-kubernetes-volume.yaml",
    "kubernetes/grade-job.yaml": "engine-kubernetes-grade-job.yaml",
    "kubernetes/merge-job.yaml": "engine-kubernetes-merge-job.yaml",
    "kubernetes/run.sh": "engine-kubernetes-run.sh",
    "slurm/grade.sbatch": "engine-slurm-grade.sbatch",
    "slurm/merge.sbatch": "engine-slurm-merge.sbatch",
    "slurm/submit.sh": "engine-slurm-submit.sh",
}
SECRET_GUARD = "engine-secret-guard.sh"  # one shell function, put into every script that starts grading
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


def placeholders(shards: int) -> dict[str, str]:
    """What each ``@NAME@`` of the templates becomes for ``shards`` shards.

    Shards are numbered as each engine numbers its copies: the Actions matrix and the Slurm array
    from 1 (``--shard I/N``), a Kubernetes Indexed Job from 0 (``JOB_COMPLETION_INDEX``).
    """
    return {
        "SHARDS": str(shards),
        "SHARD_LIST": ", ".join(str(index) for index in range(1, shards + 1)),
        "MERGE_SHARDS": ", ".join(f'"shards/shard-{index}"' for index in range(shards)),
        "SECRET_GUARD": (TEMPLATES / SECRET_GUARD).read_text(encoding="utf-8").rstrip("\n"),
    }


def render(template: str, shards: int) -> str:
    """The template's text with its placeholders filled; a placeholder left unknown is our bug."""
    values = placeholders(shards)

    def fill(match: re.Match) -> str:
        return values[match.group(1)]  # KeyError: a template names a placeholder nobody fills

    return PLACEHOLDER.sub(fill, (TEMPLATES / template).read_text(encoding="utf-8"))


def write(folder: Path, shards: int = DEFAULT_SHARDS) -> Path:
    """Write the manifests for ``shards`` shards into ``folder`` (DIR/engines); returns it."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    for name, template in FILES.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template, shards), encoding="utf-8")
        if target.suffix in (".sh", ".sbatch"):
            target.chmod(0o755)
    return folder
