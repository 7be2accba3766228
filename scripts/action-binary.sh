#!/usr/bin/env bash
# Finds the pricechecker binary for action.yml and prints its path on stdout
# (everything else goes to stderr, the job log).
#
# The action ref (uses: owner/pricechecker@REF) may be a release tag
# (v1.2.3), the major tag release.yml moves (v1), or a commit SHA (pinning,
# common security practice). Each is resolved to a commit with
# `git ls-remote --tags` (no API call, no rate limit); when a vX.Y.Z tag
# points at that commit, that release's binary is downloaded and checked
# against its checksums.txt. Anything else (a branch, a commit no release
# was made from, uses: ./, an unreachable repository) builds the action's own
# source with the runner's Go. The log says which path was taken and why.
#
# Environment: ACTION_PATH, ACTION_REF, ACTION_REPOSITORY, SERVER_URL,
# RUNNER_TEMP (optional). SERVER_URL may be file:// in tests.
set -euo pipefail

dir="${RUNNER_TEMP:-$(mktemp -d)}/pricechecker-bin"
mkdir -p "$dir"
bin="$dir/pricechecker"
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
asset="pricechecker_${os}_${arch}.tar.gz"

say() { echo "pricechecker action: $*" >&2; }

# newest prints the highest of the vX.Y.Z lines it reads (macOS's sort has
# no -V).
newest() {
  awk -F '[v.]' '{ k = sprintf("%09d%09d%09d", $2, $3, $4) } k > best { best = k; t = $0 } END { if (t != "") print t }'
}

# release_for_ref prints the newest vX.Y.Z tag on the ref's commit, or fails
# with the reason on stderr.
release_for_ref() {
  local tags commit
  if ! tags=$(git ls-remote --tags "$SERVER_URL/$ACTION_REPOSITORY" 2>/dev/null); then
    echo "cannot list the tags of $ACTION_REPOSITORY" >&2
    return 1
  fi
  if [[ "$ACTION_REF" =~ ^[0-9a-f]{40}$ ]]; then
    commit=$ACTION_REF
  else
    # An annotated tag's commit is on its peeled line (refs/tags/v1^{}).
    commit=$(awk -v t="refs/tags/$ACTION_REF" '$2 == t "^{}" { p = $1 } $2 == t { l = $1 } END { print (p != "" ? p : l) }' <<<"$tags")
    if [[ -z "$commit" ]]; then
      echo "$ACTION_REF is not a tag (a branch?)" >&2
      return 1
    fi
  fi
  local release
  release=$(awk -v c="$commit" '{ t = $2; sub(/^refs\/tags\//, "", t); p = sub(/\^\{\}$/, "", t) }
      t ~ /^v[0-9]+\.[0-9]+\.[0-9]+$/ { if (p) peeled[t] = $1; else plain[t] = $1 }
      END { for (t in plain) if ((t in peeled ? peeled[t] : plain[t]) == c) print t
            for (t in peeled) if (!(t in plain) && peeled[t] == c) print t }' <<<"$tags" | newest)
  if [[ -z "$release" ]]; then
    echo "no vX.Y.Z release tag points at $ACTION_REF (commit ${commit:0:12})" >&2
    return 1
  fi
  echo "$release"
}

reason=""
if [[ -z "${ACTION_REPOSITORY:-}" || -z "${ACTION_REF:-}" ]]; then
  reason="the action is used from the workflow's own repository (uses: ./)"
elif release=$(release_for_ref 2>"$dir/why"); then
  base="$SERVER_URL/$ACTION_REPOSITORY/releases/download/$release"
  if curl -fsSL --retry 3 -o "$dir/$asset" "$base/$asset" && curl -fsSL --retry 3 -o "$dir/checksums.txt" "$base/checksums.txt"; then
    # macOS runners have shasum, not sha256sum.
    if command -v sha256sum >/dev/null; then check=(sha256sum -c -); else check=(shasum -a 256 -c -); fi
    # A release whose binary does not match its checksum is never run, and
    # never silently replaced by a source build either.
    (cd "$dir" && grep " $asset\$" checksums.txt | "${check[@]}" >/dev/null) || { echo "::error::checksum mismatch for $asset of release $release: not running it" >&2; exit 1; }
    tar -xzf "$dir/$asset" -C "$dir" pricechecker
    say "using the release binary of $release ($os/$arch, checksum verified): $ACTION_REF is that release's commit"
  else
    reason="release $release has no downloadable $asset"
  fi
else
  reason=$(cat "$dir/why")
fi

if [[ ! -x "$bin" ]]; then
  say "building from source: $reason"
  command -v go >/dev/null || { echo "::error::no release binary ($reason) and no Go on the runner: add actions/setup-go, or use a release tag" >&2; exit 1; }
  say "building with $(go version)"
  (cd "$ACTION_PATH" && go build -o "$bin" ./cmd/pricechecker) >&2
fi
echo "$bin"
