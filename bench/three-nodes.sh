#!/usr/bin/env bash
# Measures three nodes on one Redis with the load client, all on this machine:
#   bench/three-nodes.sh [clients] [--warmup]
# Starts a private redis-server and three Release nodes on loopback, optionally runs a 3,000-client
# warm-up pass (so the measured run sees JIT-compiled code), then runs bench/Load with client i on
# node i mod 3 and prints its summary line and each process's CPU. Needs redis-server and curl.
# Ports: PROXCHAT_BENCH_REDIS_PORT (6391) and PROXCHAT_BENCH_PORTS ("8081 8082 8083").
set -euo pipefail

clients="${1:-5000}"
warmup="${2:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
redis_port="${PROXCHAT_BENCH_REDIS_PORT:-6391}"
ports="${PROXCHAT_BENCH_PORTS:-8081 8082 8083}"
state="$(mktemp -d)"

# The GC budget the container image sets (README, Configuration), for nodes and load client alike.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x2000000}"

cleanup() {
  for pid_file in "$state"/*.pid; do
    [ -e "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true
  done
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT

dotnet build "$root/src/Host" --configuration Release --nologo --verbosity quiet
dotnet build "$root/bench/Load" --configuration Release --nologo --verbosity quiet
host="$root/src/Host/bin/Release/net10.0/ProxChat.Host.dll"
load="$root/bench/Load/bin/Release/net10.0/ProxChat.Load.dll"

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$state/redis.pid" --logfile "$state/redis.log"
urls=""
for port in $ports; do
  ConnectionStrings__Redis="127.0.0.1:$redis_port" Logging__LogLevel__Default=Warning \
    dotnet "$host" --urls "http://127.0.0.1:$port" >"$state/node-$port.log" 2>&1 &
  echo $! >"$state/node-$port.pid"
  urls="${urls:+$urls,}ws://127.0.0.1:$port/"
done
for port in $ports; do
  deadline=$((SECONDS + 30))
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "node on $port not ready; see $state/node-$port.log" >&2; exit 1; }
    sleep 0.2
  done
done

if [ "$warmup" = "--warmup" ]; then
  dotnet "$load" --clients 3000 --rate 1 --ramp 10 --duration 10 --url "$urls" | grep "^updates" | sed "s/^/warm-up: /"
fi

# CPU and context switches per process (summed over its threads), read from /proc over the
# measured 20 s (after the 10 s ramp and 2 s settling). On a shared virtual machine the switches
# are much of the cost: see README, Scaling.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# A thread that ends between the glob and the read is no error (the runtime retires idle workers).
switches() { { cat /proc/"$1"/task/*/status 2>/dev/null || true; } | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }
dotnet "$load" --clients "$clients" --rate 1 --ramp 10 --duration 20 --url "$urls" &
load_pid=$!
sleep 12
pids="$(cat "$state"/*.pid) $load_pid"
declare -A before
declare -A switches_before
for pid in $pids; do before[$pid]=$(cpu_ticks "$pid"); switches_before[$pid]=$(switches "$pid"); done
sleep 20
for pid in $pids; do
  name=$(tr '\0' ' ' <"/proc/$pid/cmdline" | grep -o -e 'redis-server' -e '--urls [^ ]*' -e 'ProxChat.Load' | head -n 1)
  echo "cpu ${name}: $(( ($(cpu_ticks "$pid") - before[$pid]) * 100 / $(getconf CLK_TCK) / 20 ))% of a core," \
    "$(( ($(switches "$pid") - switches_before[$pid]) / 20 )) context switches/s"
done >"$state/cpu.txt"
wait "$load_pid"
cat "$state/cpu.txt"
