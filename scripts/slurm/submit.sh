#!/usr/bin/env bash
# Submit a sharded shape-matters run to Slurm: a job array of N shards (full.sbatch, --array=1-N)
# and a merge job (merge.sbatch) that starts only when every shard succeeded (afterok).
#
#   scripts/slurm/submit.sh N              # submit (run from the checkout, after cargo build --release)
#   scripts/slurm/submit.sh --dry-run N    # print what each array task and the merge job would run
#   DRY_RUN=1 scripts/slurm/submit.sh N    # the same
#
# The environment (SM_BIN, SM_OUT, SM_BUDGET, SM_SEED, SM_ONLY, SM_THREADS) reaches both jobs; see
# full.sbatch. Extra sbatch options (partition, account) go in SBATCH_* variables, e.g.
# SBATCH_PARTITION=cpu SBATCH_ACCOUNT=mygroup, which sbatch reads itself.
set -euo pipefail

dry_run="${DRY_RUN:-0}"
if [[ "${1:-}" == "--dry-run" ]]; then
    dry_run=1
    shift
fi

die() {
    echo "submit.sh: $*" >&2
    exit 2
}

(($# == 1)) || die "usage: submit.sh [--dry-run] N (N = number of shards, an integer >= 1)"
n="$1"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || die "N = '$n' must be an integer >= 1 (the number of shards)"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export SM_SHARDS="$n"

if [[ "$dry_run" == "1" ]]; then
    echo "[submit] sbatch --parsable --array=1-$n --export=ALL,SM_SHARDS=$n $here/full.sbatch"
    echo "[submit] sbatch --dependency=afterok:<array job id> --export=ALL,SM_SHARDS=$n $here/merge.sbatch"
    for ((k = 1; k <= n; k++)); do
        SLURM_ARRAY_TASK_ID="$k" DRY_RUN=1 bash "$here/full.sbatch"
    done
    DRY_RUN=1 bash "$here/merge.sbatch"
    exit 0
fi

array_id="$(sbatch --parsable --array="1-$n" --export="ALL,SM_SHARDS=$n" "$here/full.sbatch")"
array_id="${array_id%%;*}"
merge_id="$(sbatch --parsable --dependency="afterok:$array_id" --export="ALL,SM_SHARDS=$n" "$here/merge.sbatch")"
echo "submitted: shards $array_id (array 1-$n), merge ${merge_id%%;*} (after all shards succeed)"
