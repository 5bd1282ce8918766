#!/usr/bin/env bash
# The snapshot review summary of a pull request (Markdown on stdout; CI appends it to $GITHUB_STEP_SUMMARY).
#
#   scripts/pr-summary.sh [BASE]
#
# It lists the claims whose quick-budget verdict line changed, with the old line, the new line and a
# link to the snapshot diff, in two tables:
#   1. committed in this change: BASE's snapshots/ (extracted with `git archive`, nothing is run)
#      against HEAD's committed snapshots/;
#   2. proposed by the tests but not committed: HEAD's snapshots/ against the same files with every
#      snapshots/*.snap.new the tests wrote (INSTA_UPDATE=new) put in place of its .snap.
# Both use `shape-matters diff --json` (and jq for the tables); the full `diff` output follows each table.
#
# BASE: a commit (default: $BASE_SHA, else origin/main). Optional environment (set by the workflow):
#   SHAPE_MATTERS    the binary (default: $CARGO_TARGET_DIR or target/, release/shape-matters; built if absent)
#   GITHUB_SERVER_URL, GITHUB_REPOSITORY, PR_NUMBER, GITHUB_SHA, GITHUB_RUN_ID: links to the PR's "files"
#                    view (or the commit), and to the run's artifacts
#   ARTIFACT_URL     the uploaded *.snap.new artifact
# Exit status: 0 when the summary was written (whatever changed), 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."

base="${1:-${BASE_SHA:-origin/main}}"
bin="${SHAPE_MATTERS:-${CARGO_TARGET_DIR:-target}/release/shape-matters}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ ! -x "$bin" ]]; then
    cargo build --release --quiet >&2 || true
fi
if [[ ! -x "$bin" ]]; then
    echo "## Snapshot review"
    echo
    echo "The build failed, so no snapshot comparison (no \`$bin\`)."
    exit 0
fi

server="${GITHUB_SERVER_URL:-https://github.com}"
# Link to a file's diff: the PR's "files" view (anchor: sha256 of the path), the commit, or the path itself.
link() {
    local path="$1" anchor
    anchor="diff-$(printf '%s' "$path" | sha256sum | cut -d' ' -f1)"
    if [[ -n "${GITHUB_REPOSITORY:-}" && -n "${PR_NUMBER:-}" ]]; then
        printf '[%s](%s/%s/pull/%s/files#%s)' "$path" "$server" "$GITHUB_REPOSITORY" "$PR_NUMBER" "$anchor"
    elif [[ -n "${GITHUB_REPOSITORY:-}" && -n "${GITHUB_SHA:-}" ]]; then
        printf '[%s](%s/%s/commit/%s#%s)' "$path" "$server" "$GITHUB_REPOSITORY" "$GITHUB_SHA" "$anchor"
    else
        printf '%s%s%s' '`' "$path" '`'
    fi
}
artifact() {
    local path="$1"
    if [[ -n "${ARTIFACT_URL:-}" ]]; then
        printf '[%s.new](%s)' "$path" "$ARTIFACT_URL"
    elif [[ -n "${GITHUB_REPOSITORY:-}" && -n "${GITHUB_RUN_ID:-}" ]]; then
        printf '[%s.new](%s/%s/actions/runs/%s)' "$path" "$server" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID"
    else
        printf '%s%s.new%s' '`' "$path" '`'
    fi
}

# One table row per claim whose verdict line changed: claim | old | new | link.
# $1: the diff's JSON; $2: the link function (link or artifact).
rows() {
    local json="$1" how="$2" claim snapshot old new
    while IFS=$'\t' read -r claim snapshot old new; do
        [[ -z "$snapshot" ]] && snapshot="snapshots/claim_$(printf '%s' "$claim" | tr 'A-Z.' 'a-z_').snap"
        # A '|' would end the Markdown cell.
        printf '| %s | %s | %s | %s |\n' "$claim" "${old//|/\\|}" "${new//|/\\|}" "$("$how" "$snapshot")"
    done < <(jq -r '.lines[] | [.claim, (.snapshot // ""), .old, .new] | @tsv' <<<"$json")
}

# Compare two snapshot directories; $3: section title; $4: column title of the link; $5: link function.
section() {
    local old="$1" new="$2" title="$3" column="$4" how="$5" json code=0 n
    echo "### $title"
    echo
    json="$("$bin" diff "$old" "$new" --json 2>"$tmp/err")" || code=$?
    if [[ $code -eq 2 ]]; then
        echo "\`shape-matters diff\` could not read the snapshots: $(head -n1 "$tmp/err")"
        echo
        return
    fi
    n="$(jq '.lines | length' <<<"$json")"
    if [[ "$n" -eq 0 ]]; then
        echo "No claim's quick-budget verdict line changed."
    else
        echo "| claim | old verdict line | new verdict line | $column |"
        echo "|---|---|---|---|"
        rows "$json" "$how"
    fi
    echo
    if [[ $code -eq 1 ]]; then
        echo "**A primary verdict or an erratum status changed** (\`shape-matters diff\` exit 1)."
    else
        echo "No primary verdict and no erratum status changed (\`shape-matters diff\` exit 0)."
    fi
    echo
    echo "<details><summary>Every change (shape-matters diff)</summary>"
    echo
    # The temporary directories by what they hold.
    "$bin" diff "$old" "$new" | sed -e '/^## shape-matters diff$/d' -e "s|$tmp/base/snapshots|base: snapshots/|g" \
        -e "s|$tmp/head/snapshots|head: snapshots/|g" -e "s|$tmp/proposed|head: snapshots/ with *.snap.new|g" || true
    echo "</details>"
    echo
}

echo "## Snapshot review (quick budget, seed 2021)"
echo
mkdir -p "$tmp/head"
git archive HEAD snapshots | tar -x -C "$tmp/head"

if [[ "$base" =~ ^0+$ ]] || ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
    echo "No base commit to compare with (\`$base\`)."
    echo
elif ! git cat-file -e "$base:snapshots" 2>/dev/null; then
    echo "The base \`$base\` has no snapshots/."
    echo
else
    mkdir -p "$tmp/base"
    git archive "$base" snapshots | tar -x -C "$tmp/base"
    section "$tmp/base/snapshots" "$tmp/head/snapshots" \
        "Committed in this change (base \`$(git rev-parse --short "$base")\` → head)" "snapshot diff" link
fi

shopt -s nullglob
new_files=(snapshots/*.snap.new)
if [[ ${#new_files[@]} -eq 0 ]]; then
    echo "### Proposed by the tests but not committed"
    echo
    echo "None: the tests wrote no \`*.snap.new\` (every snapshot matched)."
else
    mkdir -p "$tmp/proposed"
    cp "$tmp/head/snapshots/"*.snap "$tmp/proposed/"
    for f in "${new_files[@]}"; do
        name="$(basename "$f" .new)"
        cp "$f" "$tmp/proposed/$name"
    done
    section "$tmp/head/snapshots" "$tmp/proposed" \
        "Proposed by the tests, not committed (${#new_files[@]} *.snap.new: the tests fail until reviewed)" \
        "proposed snapshot" artifact
    echo "Accept with \`cargo insta review\` (or reject), commit the .snap with an explanation in the message."
fi
