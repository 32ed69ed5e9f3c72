#!/usr/bin/env bash
# Measures how long the cluster takes to forget a node that goes holding many clients:
#   bench/node-death.sh [clients] [--sigterm]
# Starts a private redis-server and two Release nodes at NodeTimeoutSeconds=5, connects the load
# client's walkers to both (half each, 0.2 updates/s), then SIGKILLs one node and prints the time
# from the kill until its list (p:node:<node>) is gone from Redis: detection (a silence of
# NodeTimeout - 2 s, seen by two checks a second apart) plus the reap itself. With --sigterm the node drains
# instead, and the time until it exits is printed too. Needs redis-server and curl.
# Ports: PROXCHAT_BENCH_REDIS_PORT (6392) and PROXCHAT_BENCH_PORTS ("8091 8092").
# Each process may hold about 20,000 sockets here (ulimit -n), so keep clients under that.
set -euo pipefail

clients="${1:-16000}"
signal="KILL"
[ "${2:-}" = "--sigterm" ] && signal="TERM"
root="$(cd "$(dirname "$0")/.." && pwd)"
redis_port="${PROXCHAT_BENCH_REDIS_PORT:-6392}"
read -r doomed_port survivor_port <<<"${PROXCHAT_BENCH_PORTS:-8091 8092}"
state="$(mktemp -d)"
# shellcheck source=bench/cluster.sh
. "$root/bench/cluster.sh"
start_nodes "$doomed_port $survivor_port" ProxChat__NodeTimeoutSeconds=5

dotnet "$load" --clients "$clients" --rate 0.2 --ramp 15 --duration 60 \
  --url "ws://127.0.0.1:$doomed_port/,ws://127.0.0.1:$survivor_port/" >"$state/load.txt" 2>&1 &
echo $! >"$state/load.pid"
lists() { redis-cli -p "$redis_port" --scan --pattern 'proxchat:node:*'; }
# Once the load client has connected everyone, wait for the lists to stop growing.
deadline=$((SECONDS + 90))
listed_total() { lists | while read -r key; do redis-cli -p "$redis_port" hlen "$key"; done | paste -sd+ | bc; }
until grep -q '^connected' "$state/load.txt"; do
  [ $SECONDS -lt $deadline ] || { echo "the load client did not connect; see $state/load.txt" >&2; exit 1; }
  sleep 0.5
done
previous=-1
until [ "$(listed_total)" = "$previous" ]; do
  previous=$(listed_total)
  sleep 1
done
doomed_pid="$(cat "$state/node-$doomed_port.pid")"
declare -A listed
for key in $(lists); do listed[$key]=$(redis-cli -p "$redis_port" hlen "$key"); done
echo "before SIG$signal: $(for key in "${!listed[@]}"; do echo -n "$key=${listed[$key]} "; done)"

kill -s "$signal" "$doomed_pid"
killed_at=$(date +%s.%N)
since_kill() { echo "$(date +%s.%N) - $killed_at" | bc; }
if [ "$signal" = "TERM" ]; then
  # The drain removes the node's clients before it exits: one list is left, the survivor's.
  wait "$doomed_pid" || { echo "the node exited with $?; see $state/node-$doomed_port.log" >&2; exit 1; }
  exited=$(since_kill)
  rm "$state/node-$doomed_port.pid"
  printf 'drained: exited %.1f s after SIGTERM, leaving %d node list(s) in Redis\n' "$exited" "$(lists | wc -l)"
  exit 0
fi
wait "$doomed_pid" 2>/dev/null || true
rm "$state/node-$doomed_port.pid"
# The dead node's list is the one that shrinks: its first removal marks the end of detection,
# its deletion the end of the reap.
declare -A shrank
while true; do
  for key in "${!listed[@]}"; do
    length=$(redis-cli -p "$redis_port" hlen "$key")
    if [ -z "${shrank[$key]:-}" ] && [ "$length" -lt "${listed[$key]}" ]; then shrank[$key]=$(since_kill); fi
    if [ "$length" -eq 0 ]; then
      printf 'reaped %d clients: first removed %.1f s after the kill, list gone %.1f s after it (NodeTimeoutSeconds=5: silence 3 s, seen by two checks a second apart)\n' \
        "${listed[$key]}" "${shrank[$key]}" "$(since_kill)"
      exit 0
    fi
  done
  if (( $(echo "$(since_kill) > 120" | bc) )); then
    echo "the dead node's list was still there after 120 s" >&2
    exit 1
  fi
  sleep 0.05
done
