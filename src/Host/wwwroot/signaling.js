// The WebSocket side of the ProxChat protocol: one connection that reconnects with backoff and
// re-registers with the same client_id, so a dropped socket heals by itself.

export class Signaling extends EventTarget {
  #url;
  #socket = null;
  #retry = 0;
  #closed = false;
  #position = null;

  constructor(url, clientId) {
    super();
    this.#url = url;
    this.clientId = clientId;
  }

  start() {
    this.#connect();
  }

  stop() {
    this.#closed = true;
    this.#send("Disconnect", null);
    this.#socket?.close();
  }

  /** Registers (first time) and moves the client; remembered, to re-register after a reconnect. */
  updatePosition(position) {
    this.#position = position;
    this.#send("UpdatePosition", { client_id: this.clientId, ...position });
  }

  requestPeerRefresh() { this.#send("RequestPeerRefresh", null); }
  sendOffer(target, offer) { this.#send("SendOffer", { target_id: target, offer }); }
  sendAnswer(target, answer) { this.#send("SendAnswer", { target_id: target, answer }); }
  sendCandidate(target, candidate) { this.#send("SendIceCandidate", { target_id: target, candidate }); }

  #send(type, data) {
    if (this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(JSON.stringify({ type, data }));
    }
  }

  #connect() {
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    this.#status("connecting");
    socket.onopen = () => {
      this.#retry = 0;
      this.#status("connected");
      if (this.#position) this.updatePosition(this.#position);
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      this.dispatchEvent(new CustomEvent(message.type, { detail: message.data }));
    };
    socket.onclose = (event) => {
      if (this.#closed) return;
      if (event.code === 4000) {
        // Replaced by a newer connection with our client_id (another tab): do not fight it.
        this.#status("replaced by another tab");
        return;
      }
      const delay = Math.min(30000, 500 * 2 ** this.#retry++) * (0.5 + Math.random() / 2);
      this.#status(`disconnected; retrying in ${Math.round(delay / 1000)} s`);
      this.dispatchEvent(new CustomEvent("NearbyPeers", { detail: [] }));
      setTimeout(() => this.#connect(), delay);
    };
  }

  #status(text) {
    this.dispatchEvent(new CustomEvent("status", { detail: text }));
  }
}
