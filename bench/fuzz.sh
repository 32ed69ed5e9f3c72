#!/usr/bin/env bash
# Fuzzes one node with a million mutated frames (the suite's mutator, from several connections)
# and reports frames/s, the node's resident memory before and after, what connections and
# clients are left, and whether it survived.
# The message rate limit is off, as in the suite, so frames reach the rules behind the parser.
# Usage: bench/fuzz.sh [frames=1000000] [connections=4] [seed=1]
set -euo pipefail
cd "$(dirname "$0")/.."
frames="${1:-1000000}"; connections="${2:-4}"; seed="${3:-1}"
dotnet build src/Host -c Release -v q -nologo
dotnet build bench/Fuzz -c Release -v q -nologo
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="$(mktemp)"
dotnet src/Host/bin/Release/net10.0/ProxChat.Host.dll --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning --ProxChat:MessageRateLimit=0 >"$log" 2>&1 &
node=$!
trap 'kill "$node" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.2; done
rss() { awk '/VmRSS/ { print $2 / 1024 " MiB" }' "/proc/$node/status"; }
echo "node rss before: $(rss)"
dotnet bench/Fuzz/bin/Release/net10.0/ProxChat.Fuzz.dll "ws://127.0.0.1:$port/" "$frames" "$connections" "$seed"
sleep 2
if kill -0 "$node" 2>/dev/null && curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; then
  echo "node rss after: $(rss)"
  # What the fuzzers left behind: the node's open connections and registered clients.
  curl -fs "http://127.0.0.1:$port/metrics" | grep -E '^proxchat_(connections|clients)[ {]' | sed 's/^/left: /'
  echo "crashes: 0"
else
  echo "crashes: 1 (the node is gone or not answering)"; tail -20 "$log"; exit 1
fi
