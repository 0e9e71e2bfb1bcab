#!/bin/bash
# Grades a class on Kubernetes with the manifests beside this script. Run it from the
# instructors' checkout (the one holding solutions/), with kubectl pointed at the cluster and
# namespace to use:
#   bash engines/kubernetes/run.sh SUBMISSIONS_FOLDER [GRADES_FOLDER]
# It makes the Secret backprop-lab-secret from the grading secret, fills the shared volume
# (the checkout's tracked files, the submissions), installs the grader there once, runs the
# Indexed Job, then the merge Job, and copies /work/grades back (default: ./grades).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
submissions=${1:?usage: run.sh SUBMISSIONS_FOLDER [GRADES_FOLDER]}
grades=${2:-grades}
workspace=pod/backprop-lab-workspace

@SECRET_GUARD@

require_grading_secret
if [ -n "${BACKPROP_LAB_SECRET:-}" ]; then printf '%s' "$BACKPROP_LAB_SECRET"; else cat solutions/grading-secret; fi |
  kubectl create secret generic backprop-lab-secret --from-file=grading-secret=/dev/stdin \
    --dry-run=client -o yaml | kubectl apply -f -

kubectl apply -f "$here/volume.yaml"
kubectl wait --for=condition=Ready "$workspace" --timeout=10m
kubectl exec "$workspace" -- rm -rf /work/course /work/submissions /work/shards /work/grades
kubectl exec "$workspace" -- mkdir -p /work/course /work/submissions
# Tracked files only: the untracked solutions/grading-secret travels as the Secret above.
git ls-files -z | tar --null -T - -cf - | kubectl exec -i "$workspace" -- tar -xf - -C /work/course
tar -C "$submissions" -cf - . | kubectl exec -i "$workspace" -- tar -xf - -C /work/submissions
kubectl exec "$workspace" -- sh -c \
  "test -x /work/venv/bin/python || python -m venv /work/venv; /work/venv/bin/pip install --quiet -e /work/course"

kubectl delete job backprop-lab-grade backprop-lab-merge --ignore-not-found
kubectl apply -f "$here/grade-job.yaml"
kubectl wait --for=condition=complete job/backprop-lab-grade --timeout=24h
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete job/backprop-lab-merge --timeout=1h

mkdir -p "$grades"
kubectl exec "$workspace" -- tar -cf - -C /work/grades . | tar -xf - -C "$grades"
echo "wrote $grades/ (kubectl delete pod backprop-lab-workspace, then the PVC backprop-lab-work, when done)"
