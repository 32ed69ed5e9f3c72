#!/usr/bin/env bash
# Runs every test in the solution. Needs only the .NET SDK; anything else a test needs is
# installed here first, so this works on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# The scale-out tests need Redis: the shared one comes from PROXCHAT_TEST_REDIS, Docker or
# redis-server; a Redis Cluster, and the restart tests' private servers, always from redis-server
# and redis-cli. The deployment test runs deploy/local-cluster.sh (nginx, curl); the chart, compose
# and observability checks need yamllint (with PyYAML), docker-compose (it validates the compose
# file offline) and promtool; the demo page's test drives Chromium from node; the TURN test runs
# coturn's turnserver and turnutils_uclient. All from Debian's packages, installed here when
# missing.
#
# This never starts, stops, enables or disables a system service. Packages that would start one
# when installed (redis-server, nginx, prometheus, coturn) are not installed: their binaries go into a
# private directory instead, and every test starts its own servers on free ports.
tools="${XDG_CACHE_HOME:-$HOME/.cache}/proxchat-tools"
export PATH="$tools/bin:$PATH:/usr/sbin"
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
apt_updated=""
apt_update() {
  [ -n "$apt_updated" ] || $sudo_cmd apt-get update -qq >/dev/null
  apt_updated=1
}

missing=()
for tool in redis-cli:redis-tools curl:curl yamllint:yamllint chromium:chromium node:nodejs npm:npm; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  missing+=(docker-compose)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the tests" >&2
  apt_update
  # No recommends: docker-compose recommends the Docker engine, a service.
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A binary out of a Debian package, unpacked into $tools/bin without installing the package.
unpack() { # package, path in the package
  echo "unpacking $2 from $1 for the tests" >&2
  local dir
  dir="$(mktemp -d)"
  apt_update
  (cd "$dir" && apt-get download -qq "$1" >/dev/null 2>&1 && dpkg-deb --fsys-tarfile "$1"_*.deb | tar -x ".$2")
  mkdir -p "$tools/bin"
  mv "$dir$2" "$tools/bin/"
  rm -rf "$dir"
}
if ! command -v redis-server >/dev/null; then
  # Debian's redis-server is redis-tools' redis-check-rdb under the server's name.
  mkdir -p "$tools/bin"
  ln -sf "$(command -v redis-check-rdb)" "$tools/bin/redis-server"
fi
if ! command -v nginx >/dev/null; then
  unpack nginx /usr/sbin/nginx
fi
if ! command -v promtool >/dev/null; then
  unpack prometheus /usr/bin/promtool
fi
if ! command -v turnserver >/dev/null || ! command -v turnutils_uclient >/dev/null; then
  # Installing coturn would start its service: its libraries are installed, its programs unpacked.
  apt_update
  mapfile -t turn_libraries < <(apt-cache depends coturn | awk '$1 == "Depends:" && $2 ~ /^lib/ { print $2 }')
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${turn_libraries[@]}" >/dev/null
  unpack coturn /usr/bin/turnserver
  unpack coturn /usr/bin/turnutils_uclient
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test ProxChat.Scaled.sln --configuration Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
if [ "$status" -eq 0 ]; then
  ./deploy/check-helm.sh || status=$?
fi
if [ "$status" -eq 0 ]; then
  ./deploy/check-compose.sh || status=$?
fi
if [ "$status" -eq 0 ]; then
  ./deploy/check-observability.sh || status=$?
fi
if [ "$status" -eq 0 ]; then
  ./tests/Browser/run.sh || status=$?
fi
if [ "$status" -eq 0 ]; then
  set +e
  ./clients/js/test.sh 2>&1 | tee "$log"
  js_status=${PIPESTATUS[0]}
  set -e
  [ "$js_status" -eq 0 ] || status=$js_status
  passed=$((passed + $(grep -oE '^# pass [0-9]+' "$log" | awk '{ s += $3 } END { print s + 0 }')))
  failed=$((failed + $(grep -oE '^# fail [0-9]+' "$log" | awk '{ s += $3 } END { print s + 0 }')))
fi

# One summary line over the .NET test assemblies and the JavaScript client's tests, last.
echo "tests: $passed passed, $failed failed"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
