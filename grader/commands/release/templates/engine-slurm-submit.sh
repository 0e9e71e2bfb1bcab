#!/bin/bash
# Submits the grading array and the merge after it. Run it from the instructors' checkout (it
# holds solutions/ and the grading secret), with the environment the grader is installed in
# active (sbatch passes it on to the jobs):
#   bash engines/slurm/submit.sh SUBMISSIONS
# Results: shards/shard-I/ per task, then grades/ (grades.csv, results/, feedback/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
submissions=${1:?usage: submit.sh SUBMISSIONS}

@SECRET_GUARD@

# Checked here too, before anything is queued: tasks that each made their own secret would
# ask different questions.
require_grading_secret
grade=$(sbatch --parsable "$here/grade.sbatch" "$submissions")
grade=${grade%%;*}  # --parsable prints "job id;cluster" on multi-cluster sites
merge=$(sbatch --parsable --dependency="afterok:$grade" "$here/merge.sbatch")
echo "submitted grading array $grade and merge ${merge%%;*} (squeue -u \"\$USER\" shows them)"
