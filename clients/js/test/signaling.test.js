// Unit tests of the signaling client's own logic (throttling, keep-alive, backoff, close codes,
// parsing) against a scripted WebSocket server from the ws package, which can send what a real
// node never would: unknown types, garbage, Kicked and Banned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket, WebSocketServer } from "ws";
import { SignalingClient, CloseCode, closeCodeName, shouldReconnect } from "../src/index.js";
import { until } from "./fakes.js";

/** A scripted server: records every connection's URL and messages; the test answers by hand. */
async function scriptedServer(t) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  const connections = [];
  server.on("connection", (socket, request) => {
    const connection = { socket, url: request.url, messages: [] };
    socket.on("message", (data) => connection.messages.push(JSON.parse(data.toString())));
    connections.push(connection);
  });
  t.after(() => new Promise((resolve) => {
    for (const { socket } of connections) socket.terminate();
    server.close(resolve);
  }));
  const url = `ws://127.0.0.1:${server.address().port}/`;
  return { url, connections, last: () => connections.at(-1) };
}

function client(t, url, options = {}) {
  const signaling = new SignalingClient({ url, clientId: "alice", WebSocket, reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...options });
  const events = [];
  for (const type of ["state", "open", "nearbyPeers", "offer", "answer", "candidate", "iceServers", "error", "close", "message"]) {
    signaling.on(type, (detail) => events.push({ event: type, detail }));
  }
  t.after(() => signaling.close());
  return { signaling, events, of: (type) => events.filter((e) => e.event === type).map((e) => e.detail) };
}

const positions = (connection) => connection.messages.filter((m) => m.type === "UpdatePosition");

test("close codes have names, and the final ones stop reconnecting", () => {
  assert.equal(closeCodeName(4000), "Replaced");
  assert.equal(closeCodeName(4001), "Timeout");
  assert.equal(closeCodeName(4002), "SendQueueFull");
  assert.equal(closeCodeName(4003), "Kicked");
  assert.equal(closeCodeName(4004), "Banned");
  assert.equal(closeCodeName(1001), "GoingAway");
  assert.equal(closeCodeName(1008), "PolicyViolation");
  assert.equal(closeCodeName(1009), "MessageTooBig");
  assert.equal(closeCodeName(4999), "Unknown");
  for (const code of [CloseCode.Replaced, CloseCode.Kicked, CloseCode.Banned, CloseCode.PolicyViolation]) assert.equal(shouldReconnect(code), false);
  for (const code of [1000, 1001, 1006, 1009, 1011, 4001, 4002]) assert.equal(shouldReconnect(code), true);
});

test("registers on open with the position given before, and throttles to the newest", async (t) => {
  const server = await scriptedServer(t);
  const { signaling } = client(t, server.url, { positionIntervalMs: 100 });
  signaling.updatePosition(1, 0, 0);
  await signaling.connect();
  await until("registered", () => positions(server.last()).length === 1);
  assert.deepEqual(server.last().messages[0], { type: "UpdatePosition", data: { client_id: "alice", map_id: 1, x: 0, y: 0, channel: 0, game_id: 0 } });
  for (let x = 1; x <= 10; x++) signaling.updatePosition(1, x, 0, { channel: 2, gameId: 7 });
  await until("the newest position", () => positions(server.last()).length === 2);
  assert.deepEqual(positions(server.last())[1].data, { client_id: "alice", map_id: 1, x: 10, y: 0, channel: 2, game_id: 7 });
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(positions(server.last()).length, 2, "ten calls within the interval became one message");
  assert.throws(() => signaling.updatePosition(1, 0.5, 0), TypeError);
  assert.throws(() => signaling.updatePosition(1, 2 ** 31, 0), TypeError);
});

test("keep-alive re-sends the last position when none was sent for a while", async (t) => {
  const server = await scriptedServer(t);
  const { signaling } = client(t, server.url, { keepAliveMs: 50 });
  signaling.updatePosition(3, 4, 5);
  await signaling.connect();
  await until("three keep-alives", () => positions(server.last()).length >= 4);
  for (const message of positions(server.last())) assert.deepEqual(message.data, { client_id: "alice", map_id: 3, x: 4, y: 5, channel: 0, game_id: 0 });
});

test("typed events for every server message; unknown types arrive as message events only", async (t) => {
  const server = await scriptedServer(t);
  const { signaling, of } = client(t, server.url);
  signaling.updatePosition(1, 0, 0);
  await signaling.connect();
  await until("connected", () => server.connections.length === 1);
  const send = (message) => server.last().socket.send(typeof message === "string" ? message : JSON.stringify(message));
  send({ type: "NearbyPeers", data: ["bob", "carol"] });
  send({ type: "ReceiveOffer", data: { sender_id: "bob", offer: "v=0\r\n" } });
  send({ type: "ReceiveAnswer", data: { sender_id: "bob", answer: "v=0 answer" } });
  send({ type: "ReceiveIceCandidate", data: { sender_id: "bob", candidate: "{\"candidate\":\"c\"}" } });
  send({ type: "IceServers", data: { ice_servers: [{ urls: ["turn:t:3478"], username: "1:alice", credential: "x" }], ttl_seconds: 3600 } });
  send({ type: "Error", data: "Client zed not found" });
  send({ type: "SomethingNew", data: { future: true } });
  send("not json at all");
  send({ type: "NearbyPeers", data: "not a list" });
  server.last().socket.send(Buffer.from([1, 2, 3]), { binary: true });
  await until("all handled", () => of("error").length === 4);
  assert.deepEqual(of("nearbyPeers").map((e) => e.peers), [["bob", "carol"]]);
  assert.deepEqual(signaling.nearbyPeers, ["bob", "carol"]);
  assert.ok(signaling.registered);
  assert.deepEqual(of("offer")[0], { senderId: "bob", offer: "v=0\r\n" });
  assert.deepEqual(of("answer")[0], { senderId: "bob", answer: "v=0 answer" });
  assert.deepEqual(of("candidate")[0], { senderId: "bob", candidate: "{\"candidate\":\"c\"}" });
  assert.deepEqual(of("iceServers")[0], { iceServers: [{ urls: ["turn:t:3478"], username: "1:alice", credential: "x" }], ttlSeconds: 3600 });
  assert.deepEqual(of("error").map((e) => e.source), ["server", "protocol", "protocol", "protocol"]);
  assert.equal(of("error")[0].message, "Client zed not found");
  assert.deepEqual(of("message").find((e) => e.type === "SomethingNew"), { type: "SomethingNew", data: { future: true } });
  assert.equal(of("message").length, 8, "every well-formed message is also a message event");
  assert.equal(signaling.state, "open", "nothing closed the client");
});

test("relay methods send the documented messages; candidates objects are stringified", async (t) => {
  const server = await scriptedServer(t);
  const { signaling } = client(t, server.url);
  assert.equal(signaling.sendOffer("bob", "sdp"), false, "not sent before the socket opens");
  signaling.updatePosition(1, 0, 0);
  await signaling.connect();
  assert.ok(signaling.sendOffer("bob", "offer-sdp"));
  signaling.sendAnswer("bob", "answer-sdp");
  signaling.sendIceCandidate("bob", { candidate: "c", sdpMid: "0" });
  signaling.sendIceCandidate("bob", "{\"candidate\":\"d\"}");
  signaling.requestPeerRefresh();
  await until("five messages after the position", () => server.last().messages.length === 6);
  assert.deepEqual(server.last().messages.slice(1), [
    { type: "SendOffer", data: { target_id: "bob", offer: "offer-sdp" } },
    { type: "SendAnswer", data: { target_id: "bob", answer: "answer-sdp" } },
    { type: "SendIceCandidate", data: { target_id: "bob", candidate: "{\"candidate\":\"c\",\"sdpMid\":\"0\"}" } },
    { type: "SendIceCandidate", data: { target_id: "bob", candidate: "{\"candidate\":\"d\"}" } },
    { type: "RequestPeerRefresh", data: null },
  ]);
});

test("a dropped socket reconnects with backoff and jitter, with the same id, position and ICE request", async (t) => {
  const server = await scriptedServer(t);
  const random = [0, 1, 0.5];
  const { signaling, of } = client(t, server.url, { random: () => random.shift() ?? 0, reconnect: { initialDelayMs: 40, maxDelayMs: 1000 } });
  signaling.updatePosition(1, 7, 8);
  await signaling.connect();
  server.last().socket.send(JSON.stringify({ type: "NearbyPeers", data: [] }));
  signaling.requestIceServers();
  await until("asked for ICE servers", () => server.last().messages.some((m) => m.type === "RequestIceServers"));
  server.last().socket.terminate();
  await until("a second connection", () => server.connections.length === 2);
  const first = of("close")[0];
  assert.deepEqual({ ...first, delayMs: undefined }, { code: 1006, name: "Abnormal", reason: "", reconnecting: true, delayMs: undefined });
  assert.equal(first.delayMs, 20, "the first retry waits half to all of 40 ms (random 0 → half)");
  await until("re-registered", () => positions(server.last()).length === 1);
  assert.deepEqual(positions(server.last())[0].data, { client_id: "alice", map_id: 1, x: 7, y: 8, channel: 0, game_id: 0 });
  assert.ok(of("open").at(-1).reconnected);
  server.last().socket.send(JSON.stringify({ type: "NearbyPeers", data: ["bob"] }));
  await until("asked again for ICE servers", () => server.last().messages.some((m) => m.type === "RequestIceServers"));
  // Dropped again before the node answered: the next wait doubles (80 ms, random 1 → all of it).
  server.last().socket.terminate();
  await until("a third connection", () => server.connections.length === 3);
  server.last().socket.close(4001, "timeout");
  await until("a fourth connection", () => server.connections.length === 4);
  assert.deepEqual(of("close").map((e) => [e.code, e.name, e.reconnecting, e.delayMs]), [
    [1006, "Abnormal", true, 20], [1006, "Abnormal", true, 40], [4001, "Timeout", true, 60],
  ]);
});

for (const [code, name] of [[4000, "Replaced"], [4003, "Kicked"], [4004, "Banned"], [1008, "PolicyViolation"]]) {
  test(`closed with ${code} (${name}): no reconnect`, async (t) => {
    const server = await scriptedServer(t);
    const { signaling, of } = client(t, server.url);
    signaling.updatePosition(1, 0, 0);
    await signaling.connect();
    server.last().socket.close(code, "bye");
    await until("closed", () => of("close").length === 1);
    assert.deepEqual(of("close")[0], { code, name, reason: "bye", reconnecting: false });
    assert.equal(signaling.state, "closed");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(server.connections.length, 1);
  });
}

test("the token goes in the access_token query parameter, asked afresh for each connection", async (t) => {
  const server = await scriptedServer(t);
  let issued = 0;
  const { signaling } = client(t, `${server.url}ws?game=1`, { token: async () => `token-${++issued}` });
  signaling.updatePosition(1, 0, 0);
  await signaling.connect();
  assert.equal(server.last().url, "/ws?game=1&access_token=token-1");
  server.last().socket.terminate();
  await until("reconnected", () => server.connections.length === 2);
  assert.equal(server.last().url, "/ws?game=1&access_token=token-2");
});

test("close() says Disconnect, ends with 1000 and does not reconnect", async (t) => {
  const server = await scriptedServer(t);
  const { signaling, of } = client(t, server.url);
  signaling.updatePosition(1, 0, 0);
  await signaling.connect();
  signaling.close();
  await until("closed", () => of("close").length === 1);
  assert.equal(of("close")[0].code, 1000);
  assert.equal(of("close")[0].reconnecting, false);
  assert.deepEqual(server.last().messages.at(-1), { type: "Disconnect", data: null });
  assert.deepEqual(of("state").map((e) => e.state), ["connecting", "open", "closed"]);
});

test("connect() rejects when the client is closed for good before it opened", async (t) => {
  const server = await scriptedServer(t);
  const { signaling } = client(t, server.url.replace(/:\d+/, ":1"));   // nothing listens on port 1
  const connecting = signaling.connect();
  signaling.close();
  await assert.rejects(connecting, /closed: 1000/);
  assert.equal(server.connections.length, 0);
});

test("a listener that throws does not break the client", async (t) => {
  const server = await scriptedServer(t);
  const { signaling, of } = client(t, server.url);
  signaling.on("nearbyPeers", () => { throw new Error("app bug"); });
  // Browsers report a listener's error as an uncaught one (reportError), without unwinding the client.
  const reported = [];
  globalThis.reportError = (error) => reported.push(error);
  t.after(() => { delete globalThis.reportError; });
  signaling.updatePosition(1, 0, 0);
  await signaling.connect();
  server.last().socket.send(JSON.stringify({ type: "NearbyPeers", data: ["bob"] }));
  server.last().socket.send(JSON.stringify({ type: "Error", data: "after" }));
  await until("the next message still arrives", () => of("error").length === 1);
  assert.equal(of("nearbyPeers").length, 1, "other listeners still ran");
  assert.deepEqual(reported.map((e) => e.message), ["app bug"]);
});

test("a failing token function is an error event, and the client retries with a fresh token", async (t) => {
  const server = await scriptedServer(t);
  let calls = 0;
  const { signaling, of } = client(t, server.url, { token: () => { if (++calls === 1) throw new Error("token service down"); return "ok"; } });
  signaling.updatePosition(1, 0, 0);
  await signaling.connect();
  assert.deepEqual(of("error"), [{ message: "token: token service down", source: "client" }]);
  assert.deepEqual(of("close").map((e) => [e.code, e.reconnecting]), [[1006, true]]);
  assert.equal(server.last().url, "/?access_token=ok");
});

test("the URL must be a WebSocket URL", () => {
  assert.throws(() => new SignalingClient({ url: "localhost:8080", clientId: "a", WebSocket }), /ws:\/\/ or wss:\/\//);
  assert.throws(() => new SignalingClient({ url: "ws://x/", clientId: "", WebSocket }), /clientId/);
});

test("without a WebSocket the constructor says how to pass one", () => {
  const saved = globalThis.WebSocket;
  delete globalThis.WebSocket;
  try {
    assert.throws(() => new SignalingClient({ url: "ws://x/", clientId: "a" }), /no WebSocket/);
  } finally {
    if (saved) globalThis.WebSocket = saved;
  }
});
