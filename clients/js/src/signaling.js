// The signaling layer: one WebSocket to a ProxChat node that registers, moves, relays WebRTC
// offers, answers and ICE candidates, and heals by itself (reconnect with the same client_id,
// keep-alive), with no WebRTC in it. Bring your own WebRTC stack, or put PeerMesh on top.
import { Emitter } from "./emitter.js";
import { closeCodeName, shouldReconnect } from "./close-codes.js";

const OPEN = 1;
const defaults = {
  positionIntervalMs: 100,
  keepAliveMs: 5000,
  reconnect: { initialDelayMs: 500, maxDelayMs: 30000 },
};

export class SignalingClient extends Emitter {
  #url;
  #token;
  #WebSocket;
  #positionIntervalMs;
  #keepAliveMs;
  #reconnect;
  #random;

  #state = "idle";
  #socket = null;
  #registered = false;
  #attempt = 0;
  #reconnectTimer = null;
  #connected = null;          // the promise connect() returns, with its settle functions
  #hasOpened = false;
  #position = null;           // the newest UpdatePosition data, re-sent after a reconnect
  #positionSentAt = -Infinity;
  #positionTimer = null;      // a throttled send of the newest position
  #keepAliveTimer = null;
  #wantsIceServers = false;
  #nearbyPeers = [];

  constructor({ url, clientId, token, WebSocket, positionIntervalMs, keepAliveMs, reconnect, random } = {}) {
    super();
    if (!/^wss?:\/\//i.test(url ?? "")) throw new TypeError(`url must be a ws:// or wss:// URL, got ${url}`);
    if (typeof clientId !== "string" || clientId.length === 0) throw new TypeError("clientId must be a non-empty string");
    this.clientId = clientId;
    this.#url = url;
    this.#token = token;
    this.#WebSocket = WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== "function") {
      throw new TypeError("no WebSocket: pass one, e.g. new SignalingClient({ WebSocket: (await import('ws')).WebSocket, ... })");
    }
    this.#positionIntervalMs = positionIntervalMs ?? defaults.positionIntervalMs;
    this.#keepAliveMs = keepAliveMs ?? defaults.keepAliveMs;
    this.#reconnect = reconnect === false ? null : { ...defaults.reconnect, ...reconnect };
    this.#random = random ?? Math.random;
  }

  /** "idle", "connecting", "open", "reconnecting" or "closed". */
  get state() { return this.#state; }

  /** Whether the node has answered this socket's first UpdatePosition (it knows the client). */
  get registered() { return this.#registered; }

  /** The node's latest NearbyPeers list. */
  get nearbyPeers() { return [...this.#nearbyPeers]; }

  /** Opens the socket; resolves when it first opens, rejects if the client closes for good before. */
  connect() {
    if (!this.#connected) {
      let resolve, reject;
      const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
      promise.catch(() => {});   // a caller that does not await connect() gets the close event instead
      this.#connected = { promise, resolve, reject };
      this.#open();
    }
    return this.#connected.promise;
  }

  /** Says goodbye (Disconnect), closes with 1000 and stops reconnecting. */
  close() {
    if (this.#state === "closed") return;
    clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    this.#setState("closed");
    this.#stopTimers();
    if (socket?.readyState === OPEN) {
      socket.send(JSON.stringify({ type: "Disconnect", data: null }));
      socket.close(1000, "client closed");
    } else {
      // Not open yet (or waiting to reconnect): no close event of its own will follow.
      this.#socket = null;
      socket?.close();
      this.#closed({ code: 1000, reason: "client closed", reconnecting: false });
    }
  }

  /**
   * Registers (first time) and moves the client. Sends at most one UpdatePosition per
   * positionIntervalMs: calls in between coalesce into the newest. Remembered, and re-sent after
   * a reconnect and as keep-alive.
   */
  updatePosition(mapId, x, y, { channel = 0, gameId = 0 } = {}) {
    for (const [name, value] of Object.entries({ mapId, x, y, channel, gameId })) {
      if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
        throw new TypeError(`${name} must be a 32-bit integer, got ${value}`);
      }
    }
    this.#position = { client_id: this.clientId, map_id: mapId, x, y, channel, game_id: gameId };
    if (this.#positionTimer) return;   // the pending send will carry this newest position
    const wait = this.#positionSentAt + this.#positionIntervalMs - Date.now();
    if (wait <= 0) this.#sendPosition();
    else this.#positionTimer = setTimeout(() => this.#sendPosition(), wait);
  }

  /** Asks for the current NearbyPeers at once. False when the socket is not open. */
  requestPeerRefresh() { return this.#send("RequestPeerRefresh", null); }

  /** Asks for ICE servers (TURN credentials); asked again after every reconnect. */
  requestIceServers() {
    this.#wantsIceServers = true;
    return this.#registered && this.#send("RequestIceServers", null);
  }

  /** Relays an offer (the raw SDP string). False when the socket is not open. */
  sendOffer(targetId, sdp) { return this.#send("SendOffer", { target_id: targetId, offer: sdp }); }

  /** Relays an answer (the raw SDP string). */
  sendAnswer(targetId, sdp) { return this.#send("SendAnswer", { target_id: targetId, answer: sdp }); }

  /** Relays an ICE candidate: by convention JSON.stringify(candidate). */
  sendIceCandidate(targetId, candidate) {
    return this.#send("SendIceCandidate", { target_id: targetId, candidate: typeof candidate === "string" ? candidate : JSON.stringify(candidate) });
  }

  async #open() {
    if (this.#state === "idle") this.#setState("connecting");
    let url;
    try {
      url = await this.#connectUrl();
    } catch (error) {
      this.emit("error", { message: `token: ${error?.message ?? error}`, source: "client" });
      this.#socketClosed({ code: 1006, reason: "no token" });
      return;
    }
    if (this.#state === "closed") return;
    let socket;
    try {
      socket = new this.#WebSocket(url);
    } catch (error) {
      this.emit("error", { message: `WebSocket: ${error?.message ?? error}`, source: "client" });
      this.#socketClosed({ code: 1006, reason: "could not open a WebSocket" });
      return;
    }
    this.#socket = socket;
    this.#registered = false;
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#setState("open");
      this.emit("open", { reconnected: this.#hasOpened });
      this.#hasOpened = true;
      this.#connected.resolve();
      // Register again at once with the same id: the node answers with NearbyPeers.
      if (this.#position) this.#sendPosition();
    };
    socket.onmessage = (event) => { if (socket === this.#socket) this.#receive(event.data); };
    socket.onerror = () => {};  // the close event that follows says what happened
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#socketClosed({ code: event.code, reason: event.reason ?? "" });
    };
  }

  async #connectUrl() {
    const token = typeof this.#token === "function" ? await this.#token() : this.#token;
    if (!token) return this.#url;
    const url = new URL(this.#url);
    url.searchParams.set("access_token", token);
    return url.toString();
  }

  #socketClosed({ code, reason }) {
    this.#registered = false;
    this.#stopTimers();
    if (this.#state === "closed") {
      this.#closed({ code, reason, reconnecting: false });
      return;
    }
    if (!this.#reconnect || !shouldReconnect(code)) {
      this.#setState("closed");
      this.#closed({ code, reason, reconnecting: false });
      return;
    }
    const { initialDelayMs, maxDelayMs } = this.#reconnect;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** this.#attempt++);
    // Jitter spreads the clients of a node that went away, so they do not all return at once.
    const delayMs = Math.round(ceiling * (0.5 + this.#random() / 2));
    this.#setState("reconnecting");
    this.#closed({ code, reason, reconnecting: true, delayMs });
    this.#reconnectTimer = setTimeout(() => this.#open(), delayMs);
  }

  #closed({ code, reason, reconnecting, delayMs }) {
    this.emit("close", { code, name: closeCodeName(code), reason, reconnecting, ...(reconnecting ? { delayMs } : {}) });
    if (!reconnecting) {
      this.#connected?.reject(Object.assign(new Error(`closed: ${code} ${closeCodeName(code)}`), { code }));
    }
  }

  #receive(text) {
    if (typeof text !== "string") {
      this.emit("error", { message: "binary frame from the server ignored", source: "protocol" });
      return;
    }
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      this.emit("error", { message: `not JSON: ${text.slice(0, 100)}`, source: "protocol" });
      return;
    }
    if (message === null || typeof message !== "object" || typeof message.type !== "string") {
      this.emit("error", { message: `not a message: ${text.slice(0, 100)}`, source: "protocol" });
      return;
    }
    // A node that answered knows this client: the backoff starts over.
    this.#attempt = 0;
    this.emit("message", { type: message.type, data: message.data });
    if (!this.#dispatch(message.type, message.data)) {
      this.emit("error", { message: `malformed ${message.type}: ${text.slice(0, 100)}`, source: "protocol" });
    }
  }

  /** Emits the typed event for a message; false when a known message lacks its documented shape. */
  #dispatch(type, data) {
    const text = (value) => typeof value === "string";
    switch (type) {
      case "NearbyPeers":
        if (!Array.isArray(data) || !data.every(text)) return false;
        this.#onNearbyPeers(data);
        return true;
      case "ReceiveOffer":
        if (!text(data?.sender_id) || !text(data?.offer)) return false;
        this.emit("offer", { senderId: data.sender_id, offer: data.offer });
        return true;
      case "ReceiveAnswer":
        if (!text(data?.sender_id) || !text(data?.answer)) return false;
        this.emit("answer", { senderId: data.sender_id, answer: data.answer });
        return true;
      case "ReceiveIceCandidate":
        if (!text(data?.sender_id) || !text(data?.candidate)) return false;
        this.emit("candidate", { senderId: data.sender_id, candidate: data.candidate });
        return true;
      case "IceServers":
        if (!Array.isArray(data?.ice_servers)) return false;
        this.emit("iceServers", { iceServers: data.ice_servers, ttlSeconds: data.ttl_seconds ?? null });
        return true;
      case "Error":
        this.emit("error", { message: text(data) ? data : JSON.stringify(data), source: "server" });
        return true;
      default:
        return true;   // a newer node's message: seen as "message" only
    }
  }

  #onNearbyPeers(peers) {
    this.#nearbyPeers = [...peers];
    if (!this.#registered) {
      this.#registered = true;
      if (this.#wantsIceServers) this.#send("RequestIceServers", null);
    }
    this.emit("nearbyPeers", { peers: [...peers] });
  }

  #sendPosition() {
    clearTimeout(this.#positionTimer);
    this.#positionTimer = null;
    if (!this.#position || !this.#send("UpdatePosition", this.#position)) return;
    this.#positionSentAt = Date.now();
    // Keep-alive: the node drops a client that sends no UpdatePosition for ClientTimeout.
    clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = setTimeout(() => this.#sendPosition(), this.#keepAliveMs);
  }

  #send(type, data) {
    if (this.#socket?.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify({ type, data }));
    return true;
  }

  #stopTimers() {
    clearTimeout(this.#positionTimer);
    clearTimeout(this.#keepAliveTimer);
    this.#positionTimer = null;
    this.#keepAliveTimer = null;
  }

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.emit("state", { state });
  }
}
