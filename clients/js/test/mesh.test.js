// Unit tests of the mesh's state machine, on fake peer connections and in-memory signaling.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PeerMesh, volumeForDistance } from "../src/index.js";
import { FakeHub, FakeNetwork, until } from "./fakes.js";

function setUp(ids, options = {}) {
  const hub = new FakeHub();
  const network = new FakeNetwork();
  const meshes = {};
  const events = {};
  for (const id of ids) {
    const mesh = new PeerMesh({ signaling: hub.client(id), RTCPeerConnection: network.RTCPeerConnection, ...options });
    events[id] = [];
    for (const type of ["peer", "connectionState", "track", "dataChannel", "peerClosed", "error"]) {
      mesh.on(type, (detail) => events[id].push({ type, ...detail }));
    }
    meshes[id] = mesh;
  }
  const connected = (a, b) => meshes[a].peer(b)?.state === "connected" && meshes[b].peer(a)?.state === "connected";
  const errors = () => Object.entries(events).flatMap(([id, list]) => list.filter((e) => e.type === "error").map((e) => `${id}/${e.peerId}: ${e.error}`));
  return { hub, network, meshes, events, connected, errors };
}

const offers = (hub, from) => hub.sent.filter((m) => m.type === "offer" && m.sender === from);

test("the smaller client_id offers, the other answers, and both connect", async () => {
  const { hub, meshes, connected, errors } = setUp(["alice", "bob"], { dataChannels: ["positions"] });
  hub.introduce("alice", "bob");
  assert.ok(meshes.alice.peer("bob"), "alice made a connection at once");
  assert.equal(meshes.bob.peer("alice"), undefined, "bob waits for the offer");
  await until("alice and bob connected", () => connected("alice", "bob"));
  assert.equal(offers(hub, "alice").length, 1);
  assert.equal(offers(hub, "bob").length, 0);
  assert.equal(hub.sent.filter((m) => m.type === "answer" && m.sender === "bob").length, 1);
  assert.ok(meshes.alice.peer("bob").offerer && !meshes.alice.peer("bob").polite);
  assert.ok(meshes.bob.peer("alice").polite);
  // The offer payload is the raw SDP string, a candidate is JSON.stringify(candidate).
  assert.match(offers(hub, "alice")[0].payload.offer, /^v=0\r\n/);
  const candidate = JSON.parse(hub.sent.find((m) => m.type === "candidate").payload.candidate);
  assert.ok(candidate.candidate && candidate.usernameFragment);
  assert.deepEqual(errors(), []);
});

test("three clients build three connections, each offered by the smaller id", async () => {
  const { hub, connected, errors } = setUp(["alice", "bob", "carol"]);
  hub.introduce("alice", "bob", "carol");
  await until("all pairs connected", () => connected("alice", "bob") && connected("alice", "carol") && connected("bob", "carol"));
  assert.deepEqual(offers(hub, "alice").map((m) => m.target).sort(), ["bob", "carol"]);
  assert.deepEqual(offers(hub, "bob").map((m) => m.target), ["carol"]);
  assert.equal(offers(hub, "carol").length, 0);
  assert.deepEqual(errors(), []);
});

test("data channels and remote tracks reach both sides", async () => {
  const { hub, events, connected } = setUp(["alice", "bob"], { dataChannels: ["positions"] });
  hub.introduce("alice", "bob");
  await until("connected", () => connected("alice", "bob"));
  await until("bob got alice's channel", () => events.bob.some((e) => e.type === "dataChannel" && e.channel.label === "positions"));
  assert.ok(events.alice.some((e) => e.type === "dataChannel" && e.peerId === "bob"));
  await until("tracks", () => events.alice.some((e) => e.type === "track") && events.bob.some((e) => e.type === "track"));
  const track = events.bob.find((e) => e.type === "track");
  assert.equal(track.peerId, "alice");
  assert.equal(track.track.kind, "audio");
  assert.ok(track.stream, "the event carries the remote stream");
});

test("candidates that arrive before the answer are kept until the remote description is set", async () => {
  const { hub, network, meshes, connected, errors } = setUp(["alice", "bob"]);
  // Hold bob's answer back and deliver his candidates first.
  hub.hold = (m) => m.sender === "bob";
  hub.introduce("alice", "bob");
  await until("bob answered and gathered", () => hub.held.some((m) => m.type === "answer") && hub.held.some((m) => m.type === "candidate"));
  const answer = hub.held.find((m) => m.type === "answer");
  hub.hold = () => false;
  hub.release(hub.held.filter((m) => m.type === "candidate"));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const alicesConnection = meshes.alice.peer("bob").connection;
  assert.equal(alicesConnection.remoteDescription, null);
  assert.equal(alicesConnection.addedCandidates.length, 0, "nothing added before the answer");
  hub.release([answer]);
  await until("connected", () => connected("alice", "bob"));
  assert.deepEqual(alicesConnection.rejectedCandidates, [], "no candidate was tried too early");
  assert.equal(alicesConnection.addedCandidates.length, 1);
  assert.deepEqual(errors(), []);
  assert.equal(network.connections.length, 2);
});

test("candidates that arrive before the offer wait for the connection the offer makes", async () => {
  const { hub, meshes, connected, errors } = setUp(["alice", "bob"]);
  hub.hold = (m) => m.sender === "alice";
  hub.introduce("alice", "bob");
  await until("alice offered and gathered", () => hub.held.some((m) => m.type === "offer") && hub.held.some((m) => m.type === "candidate"));
  hub.hold = () => false;
  const offer = hub.held.find((m) => m.type === "offer");
  hub.release(hub.held.filter((m) => m.type === "candidate"));
  assert.equal(meshes.bob.peer("alice"), undefined);
  hub.release([offer]);
  await until("connected", () => connected("alice", "bob"));
  assert.deepEqual(meshes.bob.peer("alice").connection.rejectedCandidates, []);
  assert.deepEqual(errors(), []);
});

test("glare: both renegotiate at once; the polite side rolls back, the impolite side ignores, both end connected", async () => {
  const { hub, meshes, connected, errors } = setUp(["alice", "bob"]);
  hub.introduce("alice", "bob");
  await until("connected", () => connected("alice", "bob"));
  const before = hub.sent.length;
  const alices = meshes.alice.peer("bob").connection;
  const bobs = meshes.bob.peer("alice").connection;
  alices.restartIce();
  bobs.restartIce();
  await until("both offered", () => hub.sent.slice(before).filter((m) => m.type === "offer").length >= 2);
  await until("stable and connected again", () =>
    alices.signalingState === "stable" && bobs.signalingState === "stable" && connected("alice", "bob") &&
    alices.remoteUfrag === bobs.ufrag && bobs.remoteUfrag === alices.ufrag);
  assert.equal(bobs.rollbacks, 1, "bob (polite) rolled his offer back");
  assert.equal(alices.rollbacks, 0, "alice (impolite) kept hers");
  assert.deepEqual(errors(), []);
});

test("an offer that collides with the impolite side's own offer is ignored", async () => {
  const { hub, meshes, connected } = setUp(["alice", "bob"]);
  hub.introduce("alice", "bob");
  await until("connected", () => connected("alice", "bob"));
  const alices = meshes.alice.peer("bob").connection;
  hub.hold = (m) => m.type === "offer" && m.sender === "alice";
  alices.restartIce();
  await until("alice's offer is out", () => hub.held.length === 1);
  assert.equal(alices.signalingState, "have-local-offer");
  meshes.bob.peer("alice").connection.restartIce();
  await until("bob's offer reached alice and was ignored", () => hub.sent.some((m) => m.type === "offer" && m.sender === "bob"));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(alices.signalingState, "have-local-offer", "alice did not answer bob");
  assert.equal(hub.sent.filter((m) => m.type === "answer" && m.sender === "alice").length, 0);
  hub.hold = () => false;
  hub.release([...hub.held]);
  await until("connected again", () => connected("alice", "bob") && alices.signalingState === "stable");
});

test("when ICE fails the offering side restarts it, and the pair connects again", async () => {
  const { hub, meshes, connected, errors } = setUp(["alice", "bob"]);
  hub.introduce("alice", "bob");
  await until("connected", () => connected("alice", "bob"));
  const alices = meshes.alice.peer("bob").connection;
  const bobs = meshes.bob.peer("alice").connection;
  const ufrags = [alices.ufrag, bobs.ufrag];
  const offersBefore = offers(hub, "alice").length;
  bobs.fail();
  alices.fail();
  assert.equal(bobs.restarts, 0, "the answering side waits");
  assert.equal(alices.restarts, 1);
  await until("connected again", () => connected("alice", "bob"));
  assert.equal(offers(hub, "alice").length, offersBefore + 1);
  assert.match(offers(hub, "alice").at(-1).payload.offer, /a=x-ice-restart/);
  assert.notDeepEqual([alices.ufrag, bobs.ufrag], ufrags, "new ICE credentials on both sides");
  assert.equal(offers(hub, "bob").length, 0);
  assert.deepEqual(errors(), []);
});

test("a peer that leaves the list is hung up", async () => {
  const { hub, meshes, events, connected } = setUp(["alice", "bob", "carol"]);
  hub.introduce("alice", "bob", "carol");
  await until("connected", () => connected("alice", "bob") && connected("alice", "carol"));
  const toBob = meshes.alice.peer("bob").connection;
  hub.clients.get("alice").emit("nearbyPeers", { peers: ["carol"] });
  assert.ok(toBob.closed);
  assert.equal(meshes.alice.peer("bob"), undefined);
  assert.ok(meshes.alice.peer("carol"), "carol stays");
  assert.deepEqual(events.alice.filter((e) => e.type === "peerClosed"), [{ type: "peerClosed", peerId: "bob", reason: "left" }]);
  // Coming back near makes a new connection.
  hub.clients.get("alice").emit("nearbyPeers", { peers: ["carol", "bob"] });
  assert.notEqual(meshes.alice.peer("bob").connection, toBob);
});

test("new ICE servers reach every connection, and connections made later", async () => {
  const { hub, meshes, network, connected } = setUp(["alice", "bob", "carol"], { configuration: { iceServers: [], iceTransportPolicy: "all" } });
  hub.introduce("alice", "bob");
  await until("connected", () => connected("alice", "bob"));
  const turn = [{ urls: ["turn:turn.example:3478"], username: "1900000000:alice", credential: "c2VjcmV0" }];
  hub.clients.get("alice").emit("iceServers", { iceServers: turn, ttlSeconds: 3600 });
  const toBob = meshes.alice.peer("bob").connection;
  assert.deepEqual(toBob.getConfiguration().iceServers, turn);
  assert.equal(toBob.getConfiguration().iceTransportPolicy, "all", "the rest of the configuration is kept");
  hub.clients.get("alice").emit("nearbyPeers", { peers: ["bob", "carol"] });
  assert.deepEqual(meshes.alice.peer("carol").connection.configurations[0].iceServers, turn);
  assert.deepEqual(meshes.alice.configuration.iceServers, turn);
  assert.equal(network.connections.filter((c) => c.configurations.length > 1).length, 1, "only the existing connection was reconfigured");
});

test("requestIceServers asks the signaling client once at start", () => {
  const hub = new FakeHub();
  const network = new FakeNetwork();
  const signaling = hub.client("alice");
  new PeerMesh({ signaling, RTCPeerConnection: network.RTCPeerConnection, requestIceServers: true });
  assert.equal(signaling.iceRequests, 1);
});

test("an offer from a new connection on the other side replaces the old one", async () => {
  const { hub, meshes, events, network, connected } = setUp(["alice", "bob"]);
  hub.introduce("alice", "bob");
  await until("connected", () => connected("alice", "bob"));
  const old = meshes.bob.peer("alice").connection;
  // Alice's page reloads: a new mesh with the same id, while bob keeps his list.
  meshes.alice.close();
  const alice2 = new PeerMesh({ signaling: hub.client("alice"), RTCPeerConnection: network.RTCPeerConnection });
  hub.clients.get("alice").emit("nearbyPeers", { peers: ["bob"] });
  await until("connected anew", () => alice2.peer("bob")?.state === "connected" && meshes.bob.peer("alice")?.state === "connected");
  assert.ok(old.closed);
  assert.notEqual(meshes.bob.peer("alice").connection, old);
  assert.ok(events.bob.some((e) => e.type === "peerClosed" && e.reason === "replaced"));
});

test("after a signaling reconnect, the offering side renews connections that were still negotiating", async () => {
  const { hub, meshes, connected } = setUp(["alice", "bob", "carol"]);
  hub.hold = (m) => m.sender === "alice" && m.target === "carol";   // lost while the socket was down
  hub.introduce("alice", "bob", "carol");
  await until("alice-bob connected", () => connected("alice", "bob"));
  const toBob = meshes.alice.peer("bob").connection;
  const toCarol = meshes.alice.peer("carol").connection;
  hub.held.length = 0;
  hub.hold = () => false;
  hub.clients.get("alice").emit("open", { reconnected: true });
  hub.clients.get("alice").emit("nearbyPeers", { peers: ["bob", "carol"] });
  assert.equal(meshes.alice.peer("bob").connection, toBob, "a connected peer is kept");
  assert.notEqual(meshes.alice.peer("carol").connection, toCarol);
  await until("alice-carol connected", () => connected("alice", "carol"));
});

test("volume follows distance, on the audio element the mesh plays", async () => {
  assert.equal(volumeForDistance(0, 25), 1);
  assert.equal(volumeForDistance(12.5, 25), 0.5);
  assert.equal(volumeForDistance(25, 25), 0);
  assert.equal(volumeForDistance(40, 25), 0);
  const played = [];
  const createAudio = (peerId) => {
    const element = { peerId, volume: 1, srcObject: null, removed: false, remove() { this.removed = true; } };
    played.push(element);
    return element;
  };
  const { hub, meshes, connected } = setUp(["alice", "bob"], { playAudio: true, createAudio, volumeRange: 20 });
  hub.introduce("alice", "bob");
  await until("connected with audio", () => connected("alice", "bob") && played.length === 2);
  const bobOnAlice = played.find((e) => meshes.alice.peer("bob").audio === e);
  assert.ok(bobOnAlice.srcObject, "the remote stream plays");
  meshes.alice.setDistance("bob", 5);
  assert.equal(bobOnAlice.volume, 0.75);
  meshes.alice.setVolume("bob", 3);
  assert.equal(bobOnAlice.volume, 1, "clamped");
  hub.clients.get("alice").emit("nearbyPeers", { peers: [] });
  assert.ok(bobOnAlice.removed && bobOnAlice.srcObject === null, "hung up: the element is gone");
});

test("close hangs up every peer and stops listening", async () => {
  const { hub, meshes, connected } = setUp(["alice", "bob"]);
  hub.introduce("alice", "bob");
  await until("connected", () => connected("alice", "bob"));
  const connection = meshes.alice.peer("bob").connection;
  meshes.alice.close();
  assert.ok(connection.closed);
  assert.equal(meshes.alice.peers.size, 0);
  hub.clients.get("alice").emit("nearbyPeers", { peers: ["bob"] });
  assert.equal(meshes.alice.peers.size, 0);
});

test("a candidate that is not JSON is an error event, not an exception", () => {
  const { hub, events } = setUp(["alice", "bob"]);
  hub.clients.get("bob").emit("candidate", { senderId: "alice", candidate: "{not json" });
  assert.equal(events.bob.filter((e) => e.type === "error").length, 1);
});
