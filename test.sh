#!/usr/bin/env bash
# Runs every test in the solution. Needs only the .NET SDK; anything else a test needs is
# installed here first, so this works on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# The scale-out tests need Redis: the shared one comes from PROXCHAT_TEST_REDIS, Docker or
# redis-server; a Redis Cluster, and the restart tests' private servers, always from redis-server
# and redis-cli. The deployment test runs deploy/local-cluster.sh (nginx, curl); the chart check
# lints YAML with yamllint; the demo page's test drives Chromium from node. All from Debian's
# packages, installed here when missing.
missing=()
for tool in redis-server:redis-server redis-cli:redis-tools nginx:nginx-light curl:curl yamllint:yamllint \
            chromium:chromium node:nodejs npm:npm; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the tests" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
  # Only the binaries are wanted: the tests start private servers on free ports.
  $sudo_cmd systemctl disable --now redis-server nginx >/dev/null 2>&1 || true
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test ProxChat.Scaled.sln --configuration Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One summary line over all test assemblies.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
echo "tests: $passed passed, $failed failed"
if [ "$status" -eq 0 ]; then
  ./deploy/check-helm.sh || status=$?
fi
if [ "$status" -eq 0 ]; then
  ./tests/Browser/run.sh || status=$?
fi
[ "$status" -ne 0 ] || ./clients/js/test.sh || status=$?
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
