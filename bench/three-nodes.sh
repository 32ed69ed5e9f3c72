#!/usr/bin/env bash
# Measures three nodes on one Redis with the load client, all on this machine:
#   bench/three-nodes.sh [clients] [--warmup]
# Starts a private redis-server and three Release nodes on loopback, optionally runs a 3,000-client
# warm-up pass (so the measured run sees JIT-compiled code), then runs bench/Load with client i on
# node i mod 3 and prints its summary, its round trips by path (between clients on one node or on
# two), its own garbage-collection pauses, each process's CPU, the machine's (so what other
# processes on a shared machine took meanwhile shows), each node's garbage collections and the
# time they paused it, and what Redis spent on scripts. Needs redis-server and curl.
# Ports: PROXCHAT_BENCH_REDIS_PORT (6391) and PROXCHAT_BENCH_PORTS ("8081 8082 8083").
# PROXCHAT_BENCH_NODE_ENV: NAME=VALUE settings for the nodes alone (not the load client), to compare
# runtime or server settings side by side, e.g. "DOTNET_GCgen0size=0x1000000".
set -euo pipefail

clients="${1:-5000}"
warmup="${2:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
redis_port="${PROXCHAT_BENCH_REDIS_PORT:-6391}"
ports="${PROXCHAT_BENCH_PORTS:-8081 8082 8083}"
state="$(mktemp -d)"
# shellcheck source=bench/cluster.sh
. "$root/bench/cluster.sh"
# shellcheck disable=SC2086 # one word per setting
start_nodes "$ports" ${PROXCHAT_BENCH_NODE_ENV:-}
urls=""
for port in $ports; do
  urls="${urls:+$urls,}ws://127.0.0.1:$port/"
done

if [ "$warmup" = "--warmup" ]; then
  dotnet "$load" --clients 3000 --rate 1 --ramp 10 --duration 10 --url "$urls" | grep "^updates" | sed "s/^/warm-up: /"
fi

# CPU ticks, minor page faults (each first touch of memory the process had given back costs a
# trap) and context switches per process (summed over its threads), read from /proc over 20 s that
# start a second after the 10 s ramp: the load client measures its own 20 s from 2 s after it has
# connected and exits soon after, so this window ends before it does. Fails once the process has
# exited. On a shared virtual machine the switches are much of the cost: see docs/benchmarks.md.
counters() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # A thread that ends between the glob and the read is no error (the runtime retires idle workers).
  echo "$(awk '{print $14 + $15, $10}' <<<"$stat") $({ cat /proc/"$1"/task/*/status 2>/dev/null || true; } |
    awk '/ctxt_switches/ { s += $2 } END { print s + 0 }')"
}
# The whole machine's busy ticks (all cores; idle and iowait left out), to tell this run's CPU from
# what other processes on the shared machine took meanwhile.
machine_busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# A node's collections (all generations) and milliseconds paused for them so far, from its /metrics:
# a pause stops every connection of the node, so pauses show in the tail of the round trips.
gc_totals() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk '
    /^dotnet_gc_collections_total/ { n += $NF }
    /^dotnet_gc_pause_time_seconds_total/ { ms = $NF * 1000 }
    END { printf "%d %.0f\n", n, ms }'
}
dotnet "$load" --clients "$clients" --rate 1 --ramp 10 --duration 20 --url "$urls" &
load_pid=$!
sleep 11
# The load client first: it exits soon after the window.
pids="$load_pid $(cat "$state"/*.pid)"
declare -A before
declare -A names
for pid in $pids; do
  before[$pid]=$(counters "$pid")
  names[$pid]=$(tr '\0' ' ' <"/proc/$pid/cmdline" | grep -o -e 'redis-server' -e '--urls [^ ]*' -e 'ProxChat.Load' | head -n 1)
done
machine_before=$(machine_busy_ticks)
# Scraping /metrics takes a while on a busy node: the first scrape runs beside the window, the last
# after it, so neither stretches the window past the load client's end.
for port in $ports; do echo "$port $(gc_totals "$port")"; done >"$state/gc-before.txt" &
gc_scrape=$!
redis-cli -p "$redis_port" config resetstat >/dev/null
sleep 20
declare -A after
for pid in $pids; do
  # A small run's load client can finish connecting early enough to be gone by now.
  after[$pid]=$(counters "$pid") || after[$pid]=""
done
machine_after=$(machine_busy_ticks)
# Redis's own account of its scripts (each move and each delivery across nodes is one), and the
# share of its one core they took: Redis is the one part every node shares.
redis-cli -p "$redis_port" info commandstats | tr -d '\r' | awk -F'[=,]' '/^cmdstat_evalsha:/ {
  printf "redis scripts: %d/s, %.1f us each, %d%% of a core\n", $2 / 20, $6, $4 / 200000 }' >"$state/redis.txt"
ours=0
for pid in $pids; do
  [ -n "${after[$pid]}" ] || { echo "cpu of ${names[$pid]}: not read, it has exited"; continue; }
  read -r ticks_before faults_before switches_before <<<"${before[$pid]}"
  read -r ticks faults switches <<<"${after[$pid]}"
  used=$(( (ticks - ticks_before) * 100 / $(getconf CLK_TCK) / 20 ))
  ours=$((ours + used))
  # Threads that ended meanwhile take their counts with them: then the difference means nothing.
  switched=$(( (switches - switches_before) / 20 ))
  echo "cpu ${names[$pid]}: ${used}% of a core, $( [ "$switched" -ge 0 ] && echo "$switched" || echo "n/a (threads ended)") context switches/s, $(( (faults - faults_before) / 20 )) page faults/s"
done >"$state/cpu.txt"
wait "$gc_scrape"
while read -r port collections_before paused_before; do
  read -r collections paused <<<"$(gc_totals "$port")"
  echo "gc --urls http://127.0.0.1:$port: $((collections - collections_before)) collections, $((paused - paused_before)) ms paused"
done <"$state/gc-before.txt" >"$state/gc.txt"
machine=$(( (machine_after - machine_before) * 100 / $(getconf CLK_TCK) / 20 ))
echo "cpu of the machine: ${machine}% of a core busy of $(( $(nproc) * 100 ))%, other processes ~$(( machine > ours ? machine - ours : 0 ))%" >>"$state/cpu.txt"
wait "$load_pid"
cat "$state/cpu.txt" "$state/gc.txt" "$state/redis.txt"
