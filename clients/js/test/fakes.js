// Test doubles for the mesh's unit tests: an RTCPeerConnection that follows the WebRTC signaling
// state machine (offers, answers, implicit rollback, ICE restarts, candidates that need a remote
// description), a network that connects two fakes once each holds the other's description and
// candidates, and an in-memory signaling link that delivers in order, asynchronously.
import { Emitter } from "../src/emitter.js";

const event = (type, props = {}) => Object.assign(new Event(type), props);
const tick = () => new Promise((resolve) => setImmediate(resolve));

export class FakeNetwork {
  #connections = new Map();
  #next = 0;

  /** An RTCPeerConnection class whose instances live on this network. */
  get RTCPeerConnection() {
    const network = this;
    return class extends FakePeerConnection {
      constructor(configuration) {
        super(network, configuration);
      }
    };
  }

  get connections() { return [...this.#connections.values()]; }

  register(connection) {
    const id = ++this.#next;
    this.#connections.set(`fp-${id}`, connection);
    return id;
  }

  byFingerprint(fingerprint) { return this.#connections.get(fingerprint); }

  /** Connects a pair once both sides have each other's current description and candidates. */
  evaluate(connection) {
    const other = this.byFingerprint(connection.remoteFingerprint);
    if (!other || other.closed || other.remoteFingerprint !== connection.fingerprint) return;
    if (connection.reachable(other) && other.reachable(connection)) {
      connection.setConnectionState("connected");
      other.setConnectionState("connected");
    }
  }
}

class FakePeerConnection extends EventTarget {
  signalingState = "stable";
  connectionState = "new";
  localDescription = null;
  remoteDescription = null;
  closed = false;
  rollbacks = 0;
  restarts = 0;
  configurations = [];
  addedCandidates = [];
  rejectedCandidates = [];
  #network;
  #configuration;
  #transceivers = [];
  #channels = [];
  #generation = 0;          // the local ICE credentials' generation (ufrag)
  #restartPending = false;
  #negotiationNeeded = false;
  #negotiationQueued = false;
  #remoteCandidateUfrags = new Set();

  constructor(network, configuration = {}) {
    super();
    this.#network = network;
    this.#configuration = { ...configuration };
    this.configurations.push(this.#configuration);
    this.id = network.register(this);
    this.fingerprint = `fp-${this.id}`;
  }

  get ufrag() { return `u${this.id}g${this.#generation}`; }
  get remoteFingerprint() { return /^a=fingerprint:sha-256 (.+)$/m.exec(this.remoteDescription?.sdp ?? "")?.[1] ?? null; }
  get remoteUfrag() { return /^a=ice-ufrag:(.+)$/m.exec(this.remoteDescription?.sdp ?? "")?.[1] ?? null; }
  get channels() { return [...this.#channels]; }

  reachable(other) {
    return this.signalingState === "stable" && this.localDescription && this.remoteUfrag === other.ufrag &&
      this.#remoteCandidateUfrags.has(other.ufrag);
  }

  getConfiguration() { return { ...this.#configuration }; }

  setConfiguration(configuration) {
    this.#assertOpen();
    this.#configuration = { ...configuration };
    this.configurations.push(this.#configuration);
  }

  addTransceiver(trackOrKind, { direction = "sendrecv" } = {}) {
    this.#assertOpen();
    const track = typeof trackOrKind === "string" ? null : trackOrKind;
    const kind = track?.kind ?? trackOrKind;
    const transceiver = this.#transceiver(kind, direction, track);
    this.#needNegotiation();
    return transceiver;
  }

  getTransceivers() { return [...this.#transceivers]; }
  getSenders() { return this.#transceivers.map((t) => t.sender); }

  createDataChannel(label, options = {}) {
    this.#assertOpen();
    const channel = new FakeDataChannel(label, options);
    this.#channels.push(channel);
    if (!options.negotiated) this.#needNegotiation();
    return channel;
  }

  restartIce() {
    this.restarts++;
    this.#restartPending = true;
    this.#needNegotiation();
  }

  async setLocalDescription(description) {
    await tick();
    this.#assertOpen();
    const type = description?.type ?? (this.signalingState === "have-remote-offer" ? "answer" : "offer");
    if (type === "offer") {
      if (this.signalingState !== "stable" && this.signalingState !== "have-local-offer") throw this.#invalid(`offer in ${this.signalingState}`);
      const restart = this.#restartPending && this.localDescription !== null;
      if (this.#restartPending || !this.localDescription) this.#generation++;
      this.#restartPending = false;
      this.#negotiationNeeded = false;
      this.localDescription = { type, sdp: this.#sdp(restart) };
      this.signalingState = "have-local-offer";
    } else {
      if (this.signalingState !== "have-remote-offer") throw this.#invalid(`answer in ${this.signalingState}`);
      if (this.#restartPending) this.#generation++;
      this.#restartPending = false;
      this.localDescription = { type, sdp: this.#sdp(false) };
      this.signalingState = "stable";
    }
    this.#gather();
    this.#becameStable();
  }

  async setRemoteDescription({ type, sdp }) {
    await tick();
    this.#assertOpen();
    if (type === "offer") {
      if (this.signalingState === "have-local-offer") {
        // Implicit rollback, as browsers do for a polite peer.
        this.rollbacks++;
        this.signalingState = "stable";
        this.#negotiationNeeded = true;
      }
      if (this.signalingState !== "stable") throw this.#invalid(`remote offer in ${this.signalingState}`);
      this.remoteDescription = { type, sdp };
      this.signalingState = "have-remote-offer";
      if (/^a=x-ice-restart$/m.test(sdp)) this.#restartPending = true;
      const offered = (sdp.match(/^m=audio/gm) ?? []).length;
      while (this.#transceivers.length < offered) this.#transceiver("audio", "recvonly", null);
      this.#remoteTracks();
      this.#remoteChannels(sdp);
    } else {
      if (this.signalingState !== "have-local-offer") throw this.#invalid(`remote answer in ${this.signalingState}`);
      this.remoteDescription = { type, sdp };
      this.signalingState = "stable";
      this.#remoteTracks();
      this.#becameStable();
    }
    this.#network.evaluate(this);
  }

  async addIceCandidate(candidate) {
    await tick();
    this.#assertOpen();
    if (!this.remoteDescription) {
      this.rejectedCandidates.push(candidate);
      throw this.#invalid("candidate without a remote description");
    }
    if (candidate.usernameFragment !== this.remoteUfrag) {
      this.rejectedCandidates.push(candidate);
      throw Object.assign(new Error("candidate of another ICE generation"), { name: "OperationError" });
    }
    this.addedCandidates.push(candidate);
    this.#remoteCandidateUfrags.add(candidate.usernameFragment);
    this.#network.evaluate(this);
  }

  /** Test hook: ICE gives up, as after a network change. */
  fail() {
    this.setConnectionState("failed");
  }

  setConnectionState(state) {
    if (this.closed || this.connectionState === state) return;
    this.connectionState = state;
    if (state === "connected") {
      for (const channel of this.#channels) channel.open();
    }
    this.dispatchEvent(event("connectionstatechange"));
  }

  close() {
    this.closed = true;
    this.signalingState = "closed";
    this.connectionState = "closed";
  }

  #transceiver(kind, direction, track) {
    const transceiver = {
      mid: String(this.#transceivers.length),
      direction,
      currentDirection: null,
      sender: { track, replaceTrack: async (t) => { transceiver.sender.track = t; }, setStreams: () => {} },
      receiver: { track: { kind, id: `remote-${kind}-${this.id}-${this.#transceivers.length}` } },
      remoteTrackAnnounced: false,
    };
    this.#transceivers.push(transceiver);
    return transceiver;
  }

  #remoteTracks() {
    for (const transceiver of this.#transceivers) {
      if (transceiver.remoteTrackAnnounced) continue;
      transceiver.remoteTrackAnnounced = true;
      const stream = { id: `stream-${this.remoteFingerprint}` };
      queueMicrotask(() => this.dispatchEvent(event("track", { track: transceiver.receiver.track, streams: [stream], transceiver })));
    }
  }

  #remoteChannels(sdp) {
    for (const [, label] of sdp.matchAll(/^a=x-channel:(.+)$/gm)) {
      if (this.#channels.some((c) => c.label === label)) continue;
      const channel = new FakeDataChannel(label, {});
      this.#channels.push(channel);
      queueMicrotask(() => this.dispatchEvent(event("datachannel", { channel })));
    }
  }

  #sdp(restart) {
    const lines = ["v=0", `a=fingerprint:sha-256 ${this.fingerprint}`, `a=ice-ufrag:${this.ufrag}`];
    if (restart) lines.push("a=x-ice-restart");
    for (const t of this.#transceivers) lines.push(`m=audio ${t.mid}`, `a=${t.direction}`);
    for (const c of this.#channels) if (!c.negotiated) lines.push(`a=x-channel:${c.label}`);
    return `${lines.join("\r\n")}\r\n`;
  }

  #gather() {
    const ufrag = this.ufrag;
    setImmediate(() => {
      if (this.closed) return;
      const candidate = { candidate: `candidate:1 1 udp 1 127.0.0.1 ${this.id} typ host ufrag ${ufrag}`, sdpMid: "0", sdpMLineIndex: 0, usernameFragment: ufrag };
      this.dispatchEvent(event("icecandidate", { candidate }));
      this.dispatchEvent(event("icecandidate", { candidate: null }));
    });
  }

  #needNegotiation() {
    this.#negotiationNeeded = true;
    this.#becameStable();
  }

  #becameStable() {
    if (!this.#negotiationNeeded || this.signalingState !== "stable" || this.#negotiationQueued) return;
    this.#negotiationQueued = true;
    setImmediate(() => {
      this.#negotiationQueued = false;
      if (this.closed || !this.#negotiationNeeded || this.signalingState !== "stable") return;
      this.dispatchEvent(event("negotiationneeded"));
    });
  }

  #assertOpen() {
    if (this.closed) throw this.#invalid("closed");
  }

  #invalid(message) {
    return Object.assign(new Error(message), { name: "InvalidStateError" });
  }
}

class FakeDataChannel extends EventTarget {
  readyState = "connecting";

  constructor(label, { negotiated = false, id = null } = {}) {
    super();
    this.label = label;
    this.negotiated = negotiated;
    this.id = id;
  }

  open() {
    if (this.readyState !== "connecting") return;
    this.readyState = "open";
    this.dispatchEvent(event("open"));
  }

  close() { this.readyState = "closed"; }
}

/**
 * In-memory signaling for two or more meshes: what one client sends arrives at the other as the
 * node would relay it, in order and on a later turn. `hold` keeps back messages a test wants
 * to deliver itself.
 */
export class FakeHub {
  clients = new Map();
  sent = [];
  hold = () => false;
  held = [];

  client(clientId) {
    const hub = this;
    const client = new (class extends Emitter {
      clientId = clientId;
      iceRequests = 0;
      refreshes = 0;
      sendOffer(target, offer) { return hub.relay(clientId, target, "offer", { offer }); }
      sendAnswer(target, answer) { return hub.relay(clientId, target, "answer", { answer }); }
      sendIceCandidate(target, candidate) { return hub.relay(clientId, target, "candidate", { candidate }); }
      requestIceServers() { this.iceRequests++; return true; }
      requestPeerRefresh() { this.refreshes++; return true; }
    })();
    this.clients.set(clientId, client);
    return client;
  }

  relay(sender, target, type, payload) {
    const message = { sender, target, type, payload };
    this.sent.push(message);
    if (this.hold(message)) this.held.push(message);
    else this.#deliverLater(message);
    return true;
  }

  /** Delivers held messages now, in the order given. */
  release(messages) {
    for (const message of messages) {
      this.held.splice(this.held.indexOf(message), 1);
      this.deliver(message);
    }
  }

  deliver({ sender, target, type, payload }) {
    this.clients.get(target)?.emit(type, { senderId: sender, ...payload });
  }

  /** Tells each named client its nearby set, as a NearbyPeers would. */
  introduce(...ids) {
    for (const id of ids) this.clients.get(id).emit("nearbyPeers", { peers: ids.filter((other) => other !== id) });
  }

  #queue = Promise.resolve();

  #deliverLater(message) {
    this.#queue = this.#queue.then(tick).then(() => this.deliver(message));
  }
}

/** Resolves when predicate() holds; fails after the deadline with what it was waiting for. */
export async function until(what, predicate, deadlineMs = 5000) {
  const end = Date.now() + deadlineMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
