#!/usr/bin/env bash
# Checks deploy/observability against promtool and a real node:
#  - the alert rules parse, and fire (and stay quiet) as alerts.test.yml says;
#  - the Grafana dashboard is valid JSON, and each of its queries parses as PromQL;
#  - every metric the dashboard and the rules query is one a node exports: ProxChat's own by the
#    instruments declared in ProxChatMetrics.cs, and all of them in a real node's /metrics (with
#    Redis, after one client registered), where every counter must be there at 0 from the start.
# Needs promtool (./test.sh takes it from Debian's prometheus package), python3, node, curl,
# redis-server and a built Host (PROXCHAT_HOST_DLL, or it is built here).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
obs=deploy/observability

for tool in promtool python3 node curl redis-server; do
  command -v "$tool" >/dev/null || { echo "check-observability: $tool is missing (./test.sh installs it)" >&2; exit 1; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

promtool check rules "$obs/alerts.yml"
promtool test rules "$obs/alerts.test.yml"

# The dashboard's queries as recording rules, so that promtool parses each one; Grafana's variables
# become what they stand for.
python3 - "$obs/proxchat-dashboard.json" "$work/dashboard-queries.yml" <<'PY'
import json, sys
dashboard = json.load(open(sys.argv[1]))
queries, ids = [], set()
for key in ("uid", "title", "panels", "templating", "schemaVersion"):
    if key not in dashboard:
        sys.exit(f"dashboard: no {key}")
def walk(panels):
    for panel in panels:
        walk(panel.get("panels", []))
        place = panel.get("gridPos", {})
        if panel.get("id") in ids or not panel.get("title") or place.get("x", 99) + place.get("w", 99) > 24:
            sys.exit(f"dashboard: panel '{panel.get('title')}' needs a title, an id of its own and a place within 24 columns")
        ids.add(panel["id"])
        for target in panel.get("targets", []):
            if not target.get("expr"):
                sys.exit(f"dashboard: panel '{panel.get('title')}' has a target without a query")
            queries.append(target["expr"])
walk(dashboard["panels"])
if not queries:
    sys.exit("dashboard: no queries")
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, query in enumerate(queries):
        query = query.replace("$__rate_interval", "5m").replace("$job", ".*").replace("$instance", ".*")
        out.write(f"      - record: dashboard_query_{i}\n        expr: {json.dumps(query)}\n")
print(f"dashboard: {len(queries)} queries")
PY
promtool check rules "$work/dashboard-queries.yml" >/dev/null

# A real node on a private Redis, metrics on a port of their own as the chart and compose run it.
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
dll="${PROXCHAT_HOST_DLL:-$root/src/Host/bin/Release/net10.0/ProxChat.Host.dll}"
if [ ! -f "$dll" ]; then
  dotnet build "$root/src/Host" --configuration Release --nologo --verbosity quiet
fi
redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile "$work/redis.log" &
pids+=($!)
port="$(free_port)"; metrics_port="$(free_port)"
ConnectionStrings__Redis="127.0.0.1:$redis_port" ProxChat__Metrics__Port="$metrics_port" \
  dotnet "$dll" --urls "http://127.0.0.1:$port;http://127.0.0.1:$metrics_port" >"$work/node.log" 2>&1 &
pids+=($!)
scrape() { curl -fsS "http://127.0.0.1:$metrics_port/metrics"; }
for _ in $(seq 1 150); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" || { echo "the node did not become ready:" >&2; cat "$work/node.log" >&2; exit 1; }
scrape >"$work/start.prom"

# One client registers and leaves, so that the placement histogram has a sample.
websocket_flag=""
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' || websocket_flag="--experimental-websocket"
node $websocket_flag - "ws://127.0.0.1:$port/" <<'JS'
const socket = new WebSocket(process.argv[2]);
const deadline = setTimeout(() => { console.error("no NearbyPeers within 10 s"); process.exit(1); }, 10000);
socket.onopen = () => socket.send(JSON.stringify({ type: "UpdatePosition", data: { client_id: "observability-check", map_id: 1, x: 0, y: 0 } }));
socket.onmessage = (event) => {
  if (JSON.parse(event.data).type === "NearbyPeers") { clearTimeout(deadline); socket.close(1000); }
};
socket.onerror = () => { console.error("WebSocket error"); process.exit(1); };
JS
for _ in $(seq 1 100); do
  scrape >"$work/after.prom"
  grep -q '^proxchat_placement_duration_seconds_count' "$work/after.prom" \
    && grep -q '^proxchat_cluster_bus_probe_duration_seconds_count' "$work/after.prom" && break
  sleep 0.1
done
grep -E '^(# (HELP|TYPE|UNIT) )?proxchat_' "$work/after.prom" | promtool check metrics

python3 - "$obs/proxchat-dashboard.json" "$obs/alerts.yml" src/Transport/Diagnostics/ProxChatMetrics.cs \
  "$work/start.prom" "$work/after.prom" <<'PY'
import json, re, sys
import yaml
dashboard_file, alerts_file, source_file, start_file, after_file = sys.argv[1:]

def prometheus_names(name, kind, unit):
    base = name.replace(".", "_")
    suffix = {"s": "_seconds", "By": "_bytes"}.get(unit, "")
    if suffix and not base.endswith(suffix):
        base += suffix
    if kind == "Histogram":
        return {base + "_bucket", base + "_sum", base + "_count"}, set()
    if kind == "Counter":
        return {base + "_total"}, {base + "_total"}
    return {base}, set()

# ProxChat's instruments, from their declarations: Create<Kind>(name, [callback,] unit, ...).
source = open(source_file).read()
declared, counters = set(), set()
for match in re.finditer(r"\.Create(Counter|Histogram|ObservableUpDownCounter|ObservableGauge|ObservableCounter|UpDownCounter)\b[^(]*\(", source):
    literals = re.findall(r'"((?:[^"\\]|\\.)*)"', source[match.end():match.end() + 600])
    names, counter_names = prometheus_names(literals[0], match.group(1), literals[1])
    declared |= names
    counters |= counter_names
if not counters:
    sys.exit("no counters found in " + source_file)

def samples(path):
    found = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        series, value = line.rsplit(" ", 1)
        found.setdefault(re.split(r"[{ ]", series, maxsplit=1)[0], []).append((series, float(value)))
    return found
start, after = samples(start_file), samples(after_file)

problems = []
for name in sorted(counters):
    values = start.get(name)
    if not values:
        problems.append(f"counter {name} is not exported before its first event")
    elif any(value != 0 for _, value in values):
        problems.append(f"counter {name} is not 0 at start: {values}")

queries = []
def walk(panels):
    for panel in panels:
        walk(panel.get("panels", []))
        queries.extend(target["expr"] for target in panel.get("targets", []))
dashboard = json.load(open(dashboard_file))
walk(dashboard["panels"])
queries.extend(var["query"]["query"] for var in dashboard["templating"]["list"] if var["type"] == "query")
queries.extend(rule["expr"] for group in yaml.safe_load(open(alerts_file))["groups"] for rule in group["rules"])

used = set()
for query in queries:
    query = re.sub(r'"[^"]*"', '""', query)
    used |= set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[{\[])", query))
    used |= set(re.findall(r"\b(?:proxchat|dotnet|kestrel)_[a-z0-9_]+|\btarget_info\b|\bup\b", query))
used -= {"by", "without", "on", "ignoring", "group_left", "group_right"}

for name in sorted(used):
    if name == "up":
        continue  # Prometheus's own, one per target
    if name.startswith("proxchat_") and name not in declared:
        problems.append(f"{name} is queried but ProxChatMetrics.cs declares no such instrument")
    elif name not in after:
        problems.append(f"{name} is queried but a node does not export it")

info = after.get("target_info", [("", 0)])[0][0]
if 'service_name="proxchat"' not in info or "service_version=" not in info:
    problems.append(f"target_info does not name the service and its version: {info}")

if problems:
    sys.exit("observability:\n  " + "\n  ".join(problems))
print(f"observability: {len(used)} metric names checked, {len(counters)} counters exported at 0 from the start")
PY
echo "observability: alert rules tested, dashboard and metric names checked against a real node"
