// Integration tests: the client against a real ProxChat node (the built Host) over real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { SignalingClient, PeerMesh } from "../src/index.js";
import { FakeNetwork, until } from "./fakes.js";
import { startNode } from "./node-server.js";

const deadline = 10_000;

/** A WebSocket class that remembers its sockets, so a test can cut one without a close frame. */
function recordingWebSocket() {
  const sockets = [];
  return {
    sockets,
    WebSocket: class extends WebSocket {
      constructor(...args) {
        super(...args);
        sockets.push(this);
      }
    },
  };
}

function join(t, node, clientId, [map, x, y], options = {}) {
  const client = new SignalingClient({ url: node.url, clientId, WebSocket, reconnect: { initialDelayMs: 50, maxDelayMs: 500 }, ...options });
  const events = [];
  for (const type of ["open", "nearbyPeers", "offer", "answer", "candidate", "error", "close"]) {
    client.on(type, (detail) => events.push({ event: type, detail }));
  }
  client.of = (type) => events.filter((e) => e.event === type).map((e) => e.detail);
  client.updatePosition(map, x, y);
  client.connect();
  t.after(() => client.close());
  return client;
}

const sees = (client, ...ids) => () => {
  const peers = client.of("nearbyPeers").at(-1)?.peers ?? [];
  return ids.every((id) => peers.includes(id)) && peers.length === ids.length;
};

test("two clients are introduced and relay offers, answers and candidates verbatim", async (t) => {
  const node = await startNode(t);
  const alice = join(t, node, "alice", [1, 0, 0]);
  const bob = join(t, node, "bob", [1, 10, 0]);
  await until("alice sees bob", sees(alice, "bob"), deadline);
  await until("bob sees alice", sees(bob, "alice"), deadline);
  assert.ok(alice.registered && bob.registered);

  const offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=ünïcödé ✓\r\n";
  assert.ok(alice.sendOffer("bob", offer));
  await until("bob got the offer", () => bob.of("offer").length === 1, deadline);
  assert.deepEqual(bob.of("offer")[0], { senderId: "alice", offer });
  bob.sendAnswer("alice", "v=0 answer");
  const candidate = { candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", sdpMid: "0", sdpMLineIndex: 0 };
  bob.sendIceCandidate("alice", JSON.stringify(candidate));
  await until("alice got the answer and the candidate", () => alice.of("answer").length === 1 && alice.of("candidate").length === 1, deadline);
  assert.deepEqual(alice.of("answer")[0], { senderId: "bob", answer: "v=0 answer" });
  assert.deepEqual(JSON.parse(alice.of("candidate")[0].candidate), candidate);
  assert.deepEqual([...alice.of("error"), ...bob.of("error")], []);
});

test("three clients: each sees the other two, and one who walks away leaves both lists", async (t) => {
  const node = await startNode(t);
  const alice = join(t, node, "alice", [1, 0, 0]);
  const bob = join(t, node, "bob", [1, 5, 0]);
  const carol = join(t, node, "carol", [1, 0, 5]);
  await until("everyone sees everyone", () => sees(alice, "bob", "carol")() && sees(bob, "alice", "carol")() && sees(carol, "alice", "bob")(), deadline);
  carol.updatePosition(1, 500, 500);
  await until("carol is gone from both lists", () => sees(alice, "bob")() && sees(bob, "alice")() && sees(carol)(), deadline);
  assert.ok(bob.requestPeerRefresh());
  const lists = bob.of("nearbyPeers").length;
  await until("a refresh answers at once", () => bob.of("nearbyPeers").length === lists + 1, deadline);
});

test("a relay to an unknown client is an error event, and the client stays connected", async (t) => {
  const node = await startNode(t);
  const alice = join(t, node, "alice", [1, 0, 0]);
  await until("registered", () => alice.registered, deadline);
  alice.sendOffer("nobody", "v=0");
  await until("an error", () => alice.of("error").length === 1, deadline);
  assert.equal(alice.of("error")[0].source, "server");
  assert.match(alice.of("error")[0].message, /nobody/);
  assert.equal(alice.state, "open");
});

test("a dropped socket reconnects with the same id, and relays reach the new socket", async (t) => {
  const node = await startNode(t, { IdentityTakeover: "Replace" });
  const recorder = recordingWebSocket();
  const alice = join(t, node, "alice", [1, 0, 0], { WebSocket: recorder.WebSocket });
  const bob = join(t, node, "bob", [1, 3, 4]);
  await until("introduced", () => sees(alice, "bob")() && sees(bob, "alice")(), deadline);
  const lists = alice.of("nearbyPeers").length;
  recorder.sockets[0].terminate();   // gone without a close frame, as when a network drops
  await until("alice reconnected and registered again", () => recorder.sockets.length === 2 && alice.registered && alice.of("nearbyPeers").length > lists, deadline);
  assert.deepEqual(alice.of("close").map((e) => [e.name, e.reconnecting]), [["Abnormal", true]]);
  assert.ok(alice.of("open").at(-1).reconnected);
  assert.ok(sees(alice, "bob")(), "the node lists bob for the new socket");
  await until("bob sees alice", sees(bob, "alice"), deadline);
  bob.sendOffer("alice", "after the reconnect");
  await until("the offer reached the new socket", () => alice.of("offer").some((e) => e.offer === "after the reconnect"), deadline);
});

test("a second connection with the same id replaces the first, which closes with Replaced and stays closed", async (t) => {
  const node = await startNode(t, { IdentityTakeover: "Replace" });
  const first = join(t, node, "alice", [1, 0, 0]);
  await until("first registered", () => first.registered, deadline);
  const second = join(t, node, "alice", [1, 0, 0]);
  await until("the first was closed", () => first.of("close").length === 1, deadline);
  assert.deepEqual(first.of("close")[0], { code: 4000, name: "Replaced", reason: first.of("close")[0].reason, reconnecting: false });
  assert.equal(first.state, "closed");
  await until("the second is registered", () => second.registered, deadline);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(first.state, "closed", "the replaced client did not fight back");
  assert.equal(second.of("close").length, 0);
});

test("a message over the node's limit closes with MessageTooBig; the client reconnects", async (t) => {
  const node = await startNode(t, { MaxMessageBytes: 4096 });
  const alice = join(t, node, "alice", [1, 0, 0]);
  await until("registered", () => alice.registered, deadline);
  alice.sendOffer("bob", "x".repeat(8192));
  await until("closed", () => alice.of("close").length === 1, deadline);
  assert.deepEqual([alice.of("close")[0].code, alice.of("close")[0].name, alice.of("close")[0].reconnecting], [1009, "MessageTooBig", true]);
  await until("registered again", () => alice.registered && alice.of("nearbyPeers").length === 2, deadline);
});

test("keep-alive holds an idle client past the node's ClientTimeout; without it the node closes with Timeout", async (t) => {
  const node = await startNode(t, { ClientTimeoutSeconds: 1 });
  const idle = join(t, node, "idle", [1, 0, 0], { keepAliveMs: 60_000 });
  const kept = join(t, node, "kept", [1, 1000, 0], { keepAliveMs: 300 });
  await until("both registered", () => idle.registered && kept.registered, deadline);
  // Two timeouts in a row (the idle client reconnects after the first) span over 2 s of idling.
  await until("the idle client timed out twice", () => idle.of("close").filter((e) => e.name === "Timeout").length === 2, deadline);
  assert.deepEqual(idle.of("close").map((e) => [e.code, e.reconnecting]), [[4001, true], [4001, true]]);
  assert.deepEqual(kept.of("close"), [], "the kept-alive client was never closed");
  assert.equal(kept.state, "open");
});

test("a node that shuts down closes with GoingAway; the client comes back when the node does", async (t) => {
  const first = await startNode(t);
  const alice = join(t, first, "alice", [1, 0, 0]);
  await until("registered", () => alice.registered, deadline);
  await first.stop();
  await until("closed by the node", () => alice.of("close").length >= 1, deadline);
  assert.deepEqual([alice.of("close")[0].code, alice.of("close")[0].name, alice.of("close")[0].reconnecting], [1001, "GoingAway", true]);
  const second = await startNode(t, {}, first.port);
  const bob = join(t, second, "bob", [1, 1, 1]);
  await until("alice is back and meets bob", () => sees(alice, "bob")() && sees(bob, "alice")(), 20_000);
});

test("two meshes connect through the node's relay (fake peer connections, real signaling)", async (t) => {
  const node = await startNode(t);
  const network = new FakeNetwork();
  const alice = join(t, node, "alice", [1, 0, 0]);
  const bob = join(t, node, "bob", [1, 2, 2]);
  const meshes = [alice, bob].map((signaling) => new PeerMesh({ signaling, RTCPeerConnection: network.RTCPeerConnection, dataChannels: ["positions"] }));
  t.after(() => meshes.forEach((mesh) => mesh.close()));
  const errors = [];
  for (const mesh of meshes) mesh.on("error", ({ error }) => errors.push(error));
  await until("connected both ways", () => meshes[0].peer("bob")?.state === "connected" && meshes[1].peer("alice")?.state === "connected", deadline);
  bob.updatePosition(1, 400, 0);
  await until("hung up when apart", () => meshes[0].peers.size === 0 && meshes[1].peers.size === 0, deadline);
  assert.deepEqual(errors, []);
  assert.deepEqual([...alice.of("error"), ...bob.of("error")], []);
});

// Node 22+ has a global WebSocket; Node 20 has it behind a flag. Node 18 has none (pass ws's).
const globalWebSocketFlags = typeof globalThis.WebSocket === "function" ? []
  : process.allowedNodeEnvironmentFlags.has("--experimental-websocket") ? ["--experimental-websocket"] : null;

test("with the global WebSocket of Node, no WebSocket option is needed", { skip: globalWebSocketFlags === null && "this Node has no global WebSocket" }, async (t) => {
  const node = await startNode(t);
  const script = fileURLToPath(new URL("./global-websocket-client.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [...globalWebSocketFlags, script, node.url], { timeout: 20_000 });
  assert.equal(stdout.trim(), "bob,alice", "each met the other");
});
