#!/usr/bin/env bash
# Measures three nodes on one Redis with the load client, all on this machine:
#   bench/three-nodes.sh [clients] [--warmup]
# Starts a private redis-server and three Release nodes on loopback, optionally runs a 3,000-client
# warm-up pass (so the measured run sees JIT-compiled code), then runs bench/Load with client i on
# node i mod 3 and prints its summary, its round trips by path (between clients on one node or on
# two), each process's CPU, the machine's (so what other processes on a shared machine took
# meanwhile shows), and what Redis spent on scripts. Needs redis-server and curl.
# Ports: PROXCHAT_BENCH_REDIS_PORT (6391) and PROXCHAT_BENCH_PORTS ("8081 8082 8083").
set -euo pipefail

clients="${1:-5000}"
warmup="${2:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
redis_port="${PROXCHAT_BENCH_REDIS_PORT:-6391}"
ports="${PROXCHAT_BENCH_PORTS:-8081 8082 8083}"
state="$(mktemp -d)"
# shellcheck source=bench/cluster.sh
. "$root/bench/cluster.sh"
start_nodes "$ports"
urls=""
for port in $ports; do
  urls="${urls:+$urls,}ws://127.0.0.1:$port/"
done

if [ "$warmup" = "--warmup" ]; then
  dotnet "$load" --clients 3000 --rate 1 --ramp 10 --duration 10 --url "$urls" | grep "^updates" | sed "s/^/warm-up: /"
fi

# CPU and context switches per process (summed over its threads), read from /proc over the
# measured 20 s (after the 10 s ramp and 2 s settling). On a shared virtual machine the switches
# are much of the cost: see README, Scaling.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The whole machine's busy ticks (all cores; idle and iowait left out), to tell this run's CPU from
# what other processes on the shared machine took meanwhile.
machine_busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# A thread that ends between the glob and the read is no error (the runtime retires idle workers).
switches() { { cat /proc/"$1"/task/*/status 2>/dev/null || true; } | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }
dotnet "$load" --clients "$clients" --rate 1 --ramp 10 --duration 20 --url "$urls" &
load_pid=$!
sleep 12
pids="$(cat "$state"/*.pid) $load_pid"
declare -A before
declare -A switches_before
for pid in $pids; do before[$pid]=$(cpu_ticks "$pid"); switches_before[$pid]=$(switches "$pid"); done
machine_before=$(machine_busy_ticks)
redis-cli -p "$redis_port" config resetstat >/dev/null
sleep 20
# Redis's own account of its scripts (each move and each delivery across nodes is one), and the
# share of its one core they took: Redis is the one part every node shares.
redis-cli -p "$redis_port" info commandstats | tr -d '\r' | awk -F'[=,]' '/^cmdstat_evalsha:/ {
  printf "redis scripts: %d/s, %.1f us each, %d%% of a core\n", $2 / 20, $6, $4 / 200000 }' >"$state/redis.txt"
machine_after=$(machine_busy_ticks)
ours=0
for pid in $pids; do
  # A small run's load client can finish connecting early enough to be gone by now.
  [ -e "/proc/$pid" ] || { echo "cpu of process $pid: not read, it has exited"; continue; }
  name=$(tr '\0' ' ' <"/proc/$pid/cmdline" | grep -o -e 'redis-server' -e '--urls [^ ]*' -e 'ProxChat.Load' | head -n 1)
  used=$(( ($(cpu_ticks "$pid") - before[$pid]) * 100 / $(getconf CLK_TCK) / 20 ))
  ours=$((ours + used))
  # Threads that ended meanwhile take their counts with them: then the difference means nothing.
  switched=$(( ($(switches "$pid") - switches_before[$pid]) / 20 ))
  echo "cpu ${name}: ${used}% of a core, $( [ "$switched" -ge 0 ] && echo "$switched" || echo "n/a (threads ended)") context switches/s"
done >"$state/cpu.txt"
machine=$(( (machine_after - machine_before) * 100 / $(getconf CLK_TCK) / 20 ))
echo "cpu of the machine: ${machine}% of a core busy of $(( $(nproc) * 100 ))%, other processes ~$(( machine > ours ? machine - ours : 0 ))%" >>"$state/cpu.txt"
wait "$load_pid"
cat "$state/cpu.txt" "$state/redis.txt"
