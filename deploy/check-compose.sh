#!/usr/bin/env bash
# Checks docker-compose.yml and what it mounts, without a Docker engine:
#  - yamllint, and `docker compose config` (or docker-compose 1.x, which validates offline) where
#    either is installed: a printed skip otherwise;
#  - every service restarts unless stopped, nginx waits for ready nodes, each mounted file exists,
#    Prometheus scrapes the port the nodes serve /metrics on, and its config and rules pass promtool;
#  - coturn checks TURN credentials with the secret the nodes make them with (one variable, never a
#    value in the file), publishes the ports the nodes hand out, and its command, run here with the
#    local turnserver on free ports, accepts credentials made with that secret and refuses others,
#    and those a node with the compose settings hands out (where the node serves /ice-servers);
#  - the compose nginx.conf passes `nginx -t` (with the compose host names made local);
#  - the nodes' health check, the server's own `healthcheck <url>/readyz`, passes on a ready node
#    and fails once its Redis is gone, which is what holds nginx back from unready nodes.
# Needs yamllint, python3 with PyYAML, promtool, nginx, redis-server, curl, node, turnserver and
# turnutils_uclient (coturn), and a built Host
# (PROXCHAT_HOST_DLL, or it is built here); ./test.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

for tool in yamllint python3 promtool nginx redis-server curl node turnserver turnutils_uclient; do
  command -v "$tool" >/dev/null || { echo "check-compose: $tool is missing (./test.sh installs it)" >&2; exit 1; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

yamllint -d '{extends: relaxed, rules: {line-length: {max: 160}, indentation: {indent-sequences: whatever}}}' \
  docker-compose.yml deploy/observability/prometheus.yml deploy/observability/grafana

# The file refuses to start without the shared TURN secret; any value does for validating it.
export TURN_SECRET=check-compose-only
if docker compose version >/dev/null 2>&1; then
  docker compose config --quiet
  echo "compose: docker compose config passed"
elif command -v docker-compose >/dev/null; then
  docker-compose config --quiet
  echo "compose: docker-compose $(docker-compose version --short) config passed"
else
  echo "compose: 'docker compose config' skipped: neither docker compose nor docker-compose is installed here"
fi

CHECK_WORK="$work" python3 - <<'PY'
import json, os, re, sys
import yaml

compose = yaml.safe_load(open("docker-compose.yml"))
services = compose["services"]
problems = []
for name, service in services.items():
    if service.get("restart") != "unless-stopped":
        problems.append(f"{name}: no restart policy")
    for volume in service.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith(".") and not os.path.exists(source):
            problems.append(f"{name}: mounts {source}, which does not exist")

node = services["proxchat"]
if "/readyz" not in " ".join(node["healthcheck"]["test"]):
    problems.append("proxchat: its health check must be its readiness, /readyz")
if services["nginx"]["depends_on"].get("proxchat", {}).get("condition") != "service_healthy":
    problems.append("nginx must wait for healthy (ready) proxchat nodes")
metrics_port = int(node["environment"]["ProxChat__Metrics__Port"])
if f"{metrics_port}" not in node["environment"]["ASPNETCORE_HTTP_PORTS"].split(";") or "8080" not in node["environment"]["ASPNETCORE_HTTP_PORTS"].split(";"):
    problems.append("proxchat must listen on 8080 and on its metrics port")

# TURN: coturn and the nodes share one secret variable, and coturn serves what the nodes hand out.
turn = services["coturn"]
arguments = turn["command"]
flag = lambda name: next((a.split("=", 1)[1] for a in arguments if a.startswith(f"--{name}=")), None)
if not turn["image"].startswith("coturn/coturn:"):
    problems.append("coturn: the official coturn/coturn image")
if "--use-auth-secret" not in arguments or not flag("realm") or not flag("external-ip"):
    problems.append("coturn: use-auth-secret, a realm and external-ip")
if any("static-auth-secret" in a for a in arguments):
    problems.append("coturn: the secret on its command line")
secret = "${TURN_SECRET:?"
if not turn["environment"]["TURN_SECRET"].startswith(secret) or not node["environment"]["ProxChat__Turn__Secret"].startswith(secret):
    problems.append("coturn and the nodes must take their one secret from TURN_SECRET, required")
port = flag("listening-port")
urls = [v for k, v in node["environment"].items() if k.startswith("ProxChat__Turn__Urls__")]
if not urls or any(f":{port}?transport=" not in url or not url.startswith("turn:") for url in urls):
    problems.append(f"the nodes must hand out coturn's port {port}: {urls}")
relay = f"{flag('min-port')}-{flag('max-port')}"
for published in (f"{port}:{port}/udp", f"{port}:{port}/tcp", f"{relay}:{relay}/udp"):
    if published not in turn.get("ports", []):
        problems.append(f"coturn must publish {published}")
for private in ("10.0.0.0-10.255.255.255", "172.16.0.0-172.31.255.255", "192.168.0.0-192.168.255.255"):
    if f"--denied-peer-ip={private}" not in arguments:
        problems.append(f"coturn must not relay into {private}")
with open(os.path.join(os.environ["CHECK_WORK"], "coturn.json"), "w") as out:
    json.dump({"entrypoint": turn["entrypoint"], "command": arguments}, out)
# The nodes' ProxChat settings, with the variables compose would put in (their defaults), for the
# node started below; the metrics port stays the node's default.
interpolate = lambda value: re.sub(r"\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}", lambda m: os.environ.get(m.group(1), m.group(2) or ""), str(value))
with open(os.path.join(os.environ["CHECK_WORK"], "node.env"), "w") as out:
    for key, value in node["environment"].items():
        if key.startswith("ProxChat__") and key != "ProxChat__Metrics__Port":
            out.write(f"{key}={interpolate(value)}\n")

prometheus = yaml.safe_load(open("deploy/observability/prometheus.yml"))
targets = [(sd["names"], sd["port"]) for job in prometheus["scrape_configs"] for sd in job.get("dns_sd_configs", [])]
if (["proxchat"], metrics_port) not in targets:
    problems.append(f"Prometheus must scrape every proxchat replica on {metrics_port}: {targets}")

if problems:
    sys.exit("docker-compose.yml:\n  " + "\n  ".join(problems))
PY
promtool check config deploy/observability/prometheus.yml >/dev/null

# The compose nginx.conf with its paths and host made local; `resolve` needs nginx 1.27.3, which
# Debian 12 does not have, so it is dropped for an older nginx.
mkdir -p "$work/nginx"
sed -e "s#/etc/nginx/conf.d/#$root/deploy/nginx/#g" -e "s#server proxchat:8080#server 127.0.0.1:8080#" \
  -e "s#^\(\s*\)worker_processes auto;#\1worker_processes auto; pid $work/nginx/nginx.pid;#" \
  deploy/nginx/nginx.conf >"$work/nginx/nginx.conf"
nginx_version="$(nginx -v 2>&1 | sed -n 's#.*nginx/\([0-9.]*\).*#\1#p')"
if [ "$(printf '%s\n' "$nginx_version" 1.27.3 | sort -V | head -n1)" != 1.27.3 ]; then
  sed -i 's# resolve max_fails# max_fails#' "$work/nginx/nginx.conf"
  echo "compose: nginx $nginx_version predates 'resolve': nginx.conf tested without it"
fi
nginx -t -q -e stderr -p "$work/nginx" -c "$work/nginx/nginx.conf"

# The health check that gates nginx, on a real node with the compose settings: healthy while
# ready, not once Redis is gone.
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
dll="${PROXCHAT_HOST_DLL:-$root/src/Host/bin/Release/net10.0/ProxChat.Host.dll}"
if [ ! -f "$dll" ]; then
  dotnet build src/Host --configuration Release --nologo --verbosity quiet
fi

# coturn as compose runs it (its entrypoint and flags), with the local turnserver: on free ports on
# loopback, its config file in the work directory, and loopback peers allowed for turnutils_uclient.
turn_port="$(free_port)"
python3 - "$work" "$turn_port" <<'PY' &
import json, os, sys
work, port = sys.argv[1:]
turn = json.load(open(f"{work}/coturn.json"))
local = {"--listening-port": port, "--external-ip": "127.0.0.1"}
arguments = [f"{a.split('=')[0]}={local[a.split('=')[0]]}" if a.split("=")[0] in local else a for a in turn["command"]]
arguments += ["--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--allow-loopback-peers",
              f"--pidfile={work}/turnserver.pid", f"--userdb={work}/turndb"]
entrypoint = [part.replace("$$", "$").replace("/tmp/", f"{work}/") for part in turn["entrypoint"]]
with open(f"{work}/coturn.log", "w") as log:
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    os.execvp(entrypoint[0], entrypoint + arguments)
PY
pids+=($!)
turn_allocates() { # secret: whether coturn grants a relay to credentials made with it
  local username credential
  username="$(($(date +%s) + 600)):check-compose"
  credential="$(node -e 'process.stdout.write(require("crypto").createHmac("sha1", process.argv[1]).update(process.argv[2]).digest("base64"))' "$1" "$username")"
  turnutils_uclient -y -n 1 -m 1 -l 100 -p "$turn_port" -u "$username" -w "$credential" 127.0.0.1 2>&1 | grep -q "Total lost packets 0"
}
for _ in $(seq 1 50); do grep -q "Total General servers" "$work/coturn.log" 2>/dev/null && break; sleep 0.2; done
if ! turn_allocates "$TURN_SECRET"; then
  echo "check-compose: coturn, run with the compose file's flags, refused credentials made with TURN_SECRET; its log:" >&2
  cat "$work/coturn.log" >&2
  exit 1
fi
if turn_allocates "not-$TURN_SECRET"; then
  echo "check-compose: coturn granted a relay to credentials made with another secret" >&2
  exit 1
fi
echo "compose: coturn, with the compose file's flags, relays for credentials made with TURN_SECRET and refuses others"

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile "$work/redis.log" &
redis_pid=$!
pids+=("$redis_pid")
port="$(free_port)"
mapfile -t node_env <"$work/node.env"
env "${node_env[@]}" ConnectionStrings__Redis="127.0.0.1:$redis_port" dotnet "$dll" --urls "http://127.0.0.1:$port" >"$work/node.log" 2>&1 &
pids+=($!)
# The compose health check's own command, on this node's port.
probe() { dotnet "$dll" healthcheck "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; }
wait_for() { # what, command...
  local what="$1"; shift
  for _ in $(seq 1 150); do "$@" && return 0; sleep 0.2; done
  echo "check-compose: $what did not happen within 30 s; node log:" >&2
  cat "$work/node.log" >&2
  exit 1
}
wait_for "the node passing its compose health check" probe

# The node's TURN credentials, handed out with the compose settings, against coturn run with the
# compose flags (the URL's host and port are the compose ones, hence the local port here).
ice_status="$(curl -s -o "$work/ice-servers.json" -w '%{http_code}' "http://127.0.0.1:$port/ice-servers?client_id=check-compose")"
if [ "$ice_status" = 404 ]; then
  echo "compose: NOT RUN: whether coturn accepts the nodes' credentials (this node does not serve /ice-servers)"
else
  turn_entry="$(node -e '
    const { ice_servers: servers } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const turn = servers.find((server) => server.credential);
    if (turn) console.log([turn.urls.join(" "), turn.username, turn.credential].join("\n"));' "$work/ice-servers.json")"
  expected_urls="turn:localhost:3478?transport=udp turn:localhost:3478?transport=tcp"
  if [ "$ice_status" != 200 ] || [ "$(sed -n 1p <<<"$turn_entry")" != "$expected_urls" ]; then
    echo "check-compose: a node with the compose settings should hand out $expected_urls; it answered $ice_status: $(cat "$work/ice-servers.json")" >&2
    exit 1
  fi
  if ! turnutils_uclient -y -n 1 -m 1 -l 100 -p "$turn_port" -u "$(sed -n 2p <<<"$turn_entry")" -w "$(sed -n 3p <<<"$turn_entry")" 127.0.0.1 2>&1 \
    | grep -q "Total lost packets 0"; then
    echo "check-compose: coturn refused the credentials a node with the compose settings handed out" >&2
    exit 1
  fi
  echo "compose: a node with the compose settings hands out coturn's URLs, and coturn accepts its credentials"
fi
kill "$redis_pid"
wait_for "the node failing its compose health check without Redis" eval '! probe'
echo "compose: restart policies, readiness-gated nginx, metrics scraping, TURN settings, nginx.conf and the nodes' health check checked"
