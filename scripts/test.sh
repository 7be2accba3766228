#!/usr/bin/env bash
# The project's test command (docs/development.md): installs the pinned tools
# the end-to-end tests run for real, then vets, lints the workflows and runs
# every test. Works offline apart from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"

install() { # install BINARY MODULE@VERSION
  command -v "$1" >/dev/null 2>&1 || { echo "installing $2"; go install "$2"; }
}
install act github.com/nektos/act@v0.2.89
install aws-lambda-rie github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
install actionlint github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
# The site's browser tests drive Debian's chromium (internal/site).
if ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]]; then
    echo "installing chromium"; DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "installing chromium"; sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || { sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
  else
    echo "chromium is missing and this user cannot install it (apt-get install -y chromium as root); the browser tests will skip, or fail under CI=true" >&2
  fi
fi

go vet ./...
actionlint
go test -timeout 20m ./... "$@"
