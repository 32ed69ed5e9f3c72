// End-to-end test of NAT traversal through TURN: two Chromium pages open the demo with ?relay=1
// (relay only, as players whose networks allow nothing else), take their ICE servers from the node
// (TURN credentials made with the node's secret) and walk close.
//
//   node relay.e2e.mjs <page-url> <ws-url-for-page-1> <ws-url-for-page-2> relay|refused [label]
//
// relay: the node and coturn share the secret; the pages connect, and the candidate pair ICE chose
// (getStats) is relay on both ends; when the node sends fresh credentials (at 75% of
// ProxChat__Turn__TtlSeconds, which run.sh shortens), the live connections take them
// (setConfiguration) and stay up. refused: the node's secret is not coturn's (the negative
// control); coturn answers each allocation with 401, no relay candidate is gathered, and the pages
// never connect. Screenshots go to artifacts/ when a step fails.
import { launchChromium } from "./chromium.mjs";
import { mkdir } from "node:fs/promises";

const [pageUrl, server1, server2, expected, label = `relay-${expected}`] = process.argv.slice(2);
if (!["relay", "refused"].includes(expected)) throw new Error(`expected relay or refused, not ${expected}`);
const deadline = 20_000;
const browser = await launchChromium();

const pages = [];
let step = "start";
try {
  const open = async (id, name, x, server) => {
    const page = await browser.newPage();
    page.on("pageerror", (error) => console.error(`[${id}] ${error}`));
    const query = new URLSearchParams({ id, name, map: "1", channel: "0", x: String(x), y: "0", server, relay: "1" });
    await page.goto(`${pageUrl}?${query}`);
    pages.push(page);
    return page;
  };
  const until = (page, what, predicate, arg, timeout = deadline) => {
    step = what;
    return page.waitForFunction(predicate, arg, { timeout, polling: 100 });
  };

  const alice = await open("alice", "Alice", 0, server1);
  const bob = await open("bob", "Bob", 100, server2);
  for (const [page, id] of [[alice, "alice"], [bob, "bob"]]) {
    await until(page, `${id} registered`, () => document.getElementById("status").textContent.endsWith("connected"));
    step = `${id}'s relay-only switch`;
    if (!(await page.isVisible("#relay-only")) || !(await page.isChecked("#relay-only"))) throw new Error("the Relay only switch is not shown on");
    // The node's TURN entry, with this client's own short-lived username, on the connections to come.
    await until(page, `${id} got TURN credentials from the node`, (me) => {
      const { iceServers, iceTransportPolicy } = window.proxchat.mesh.configuration;
      return iceTransportPolicy === "relay" && iceServers.some((server) =>
        [server.urls].flat().some((url) => url.startsWith("turn:")) && new RegExp(`^\\d+:${me}$`).test(server.username ?? "") && server.credential);
    }, id);
    // Every connection's ICE candidate errors: coturn's answer to a refused allocation (401).
    await page.evaluate(() => {
      window.candidateErrors = [];
      window.proxchat.mesh.on("peer", ({ peer }) => peer.connection.addEventListener("icecandidateerror",
        ({ errorCode, url }) => window.candidateErrors.push({ errorCode, url })));
    });
  }

  await bob.evaluate(() => window.proxchat.moveTo(12, 4));
  const connection = (page, peer) => page.evaluateHandle((id) => window.proxchat.mesh.peer(id)?.connection, peer);
  await until(alice, "alice introduced to bob", () => window.proxchat.mesh.peer("bob"));
  await until(bob, "bob introduced to alice", () => window.proxchat.mesh.peer("alice"));

  if (expected === "relay") {
    await until(alice, "alice connected to bob, his position arrived", () => {
      const p = window.proxchat.snapshot().bob;
      return p?.state === "connected" && p.channelOpen && p.position?.x === 12;
    });
    await until(bob, "bob connected to alice, her position arrived", () => {
      const p = window.proxchat.snapshot().alice;
      return p?.state === "connected" && p.channelOpen && p.position?.x === 0;
    });
    for (const [page, peer] of [[alice, "bob"], [bob, "alice"]]) {
      step = `the candidate pair to ${peer}`;
      const pair = await (await connection(page, peer)).evaluate(async (pc) => {
        const stats = await pc.getStats();
        const transport = [...stats.values()].find((report) => report.type === "transport");
        const selected = stats.get(transport?.selectedCandidatePairId);
        return selected && { local: stats.get(selected.localCandidateId).candidateType, remote: stats.get(selected.remoteCandidateId).candidateType };
      });
      // The connection is up (checked above); this is the route it uses.
      if (pair?.local !== "relay" || pair.remote !== "relay") {
        throw new Error(`the selected candidate pair is not relay to relay: ${JSON.stringify(pair)}`);
      }
      await until(page, `the page shows ${peer} connected through the relay`, () =>
        document.getElementById("peers").textContent.includes("connected, relay"));
    }
    step = "no refused allocation";
    for (const page of [alice, bob]) {
      const refusals = await page.evaluate(() => window.candidateErrors.filter(({ errorCode }) => errorCode === 401));
      if (refusals.length > 0) throw new Error(`coturn refused an allocation: ${JSON.stringify(refusals)}`);
    }
    await alice.evaluate(() => window.proxchat.moveTo(2, 1));
    await until(bob, "bob saw alice move, through the relay", () => window.proxchat.snapshot().alice?.position?.x === 2);

    // The node pushes fresh credentials before these expire: the live connection takes them.
    const turnUsername = () => window.proxchat.mesh.peer("bob").connection.getConfiguration().iceServers.find((server) => server.username)?.username;
    const first = await alice.evaluate(turnUsername);
    await until(alice, "alice's connection to bob took the node's fresh credentials", (old) =>
      window.proxchat.mesh.peer("bob").connection.getConfiguration().iceServers.some((server) => server.username && server.username !== old),
    first, 2 * Number(process.env.PROXCHAT_TURN_TTL_SECONDS ?? 20) * 1000);
    await alice.evaluate(() => window.proxchat.moveTo(3, 1));
    await until(bob, "bob saw alice move after the refresh", () =>
      window.proxchat.snapshot().alice?.position?.x === 3 && window.proxchat.snapshot().alice.state === "connected");

    // The switch turns relay only off: the page starts over without ?relay=1, gathering every route.
    step = "alice turns Relay only off";
    await Promise.all([alice.waitForURL((url) => !url.searchParams.has("relay")), alice.uncheck("#relay-only")]);
    await until(alice, "alice back without relay only", () =>
      window.proxchat?.mesh.configuration.iceTransportPolicy === "all" && !document.getElementById("relay-only").checked);
    console.log(`browser (${label}): relay only, with the node's TURN credentials: the pages connected through coturn (relay to relay on both sides), exchanged positions, took refreshed credentials mid-call, and the switch turned relay only off`);
  } else {
    // coturn refuses the credentials: no relay candidate can exist, so relay only cannot connect.
    for (const [page, peer] of [[alice, "bob"], [bob, "alice"]]) {
      await until(page, `coturn refused ${page === alice ? "alice" : "bob"}'s allocation (401)`, () =>
        window.candidateErrors.some(({ errorCode, url }) => errorCode === 401 && url.startsWith("turn:")));
      step = `${peer}: no relay candidate, not connected`;
      const gathered = await (await connection(page, peer)).evaluate((pc) => ({
        state: pc.connectionState, relay: /typ relay/.test(pc.localDescription?.sdp ?? ""),
      }));
      if (gathered.state === "connected" || gathered.relay) throw new Error(`a relay was granted anyway: ${JSON.stringify(gathered)}`);
    }
    step = "the pages stayed apart";
    const connected = await Promise.all([alice, bob].map((page) => page.evaluate(() =>
      Object.values(window.proxchat.snapshot()).some((peer) => peer.state === "connected"))));
    if (connected.some(Boolean)) throw new Error("a page connected without TURN");
    console.log(`browser (${label}): with credentials coturn does not accept (the node's secret is not coturn's), coturn refused every allocation (401) and the relay-only pages did not connect`);
  }
} catch (error) {
  await mkdir("artifacts", { recursive: true });
  for (const [i, page] of pages.entries()) {
    await page.screenshot({ path: `artifacts/${label}-page${i + 1}.png` }).catch(() => {});
  }
  console.error(`browser (${label}) failed at "${step}": ${error.message}\nscreenshots in tests/Browser/artifacts/`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
