// One peer of the mesh: its RTCPeerConnection and the negotiation around it. Perfect negotiation
// (W3C WebRTC, "perfect negotiation example") makes offers from both sides at once safe: the
// polite side rolls its own offer back and answers, the impolite side ignores the other's offer.
// Incoming descriptions and candidates are applied one at a time, in the order they arrived.

/** The DTLS fingerprint of an SDP: a new one means the other side started a new connection. */
export function fingerprintOf(sdp) {
  return /^a=fingerprint:(.+)$/m.exec(sdp ?? "")?.[1]?.trim() ?? null;
}

export class MeshPeer {
  #connection;
  #signaling;
  #notify;
  #beforeAnswer;
  #queue = Promise.resolve();
  #pendingCandidates = [];     // candidates that came before the remote description
  #makingOffer = false;
  #ignoreOffer = false;
  #answerPending = false;
  #closed = false;
  #remoteFingerprint = null;

  /** The remote stream, once a track arrived; the audio element playing it, when the mesh plays audio. */
  stream = null;
  audio = null;
  #volume = 1;

  /**
   * notify(type, detail) reports events; beforeAnswer(connection) runs after each remote offer is
   * applied and before the answer is made (the mesh puts its local tracks on the offered media).
   */
  constructor({ id, localId, connection, signaling, notify, beforeAnswer = async () => {} }) {
    this.id = id;
    // The documented convention: the smaller client_id (by UTF-16 code units, as JavaScript
    // compares strings) makes the first offer, and is the impolite side of perfect negotiation.
    this.offerer = localId < id;
    this.polite = !this.offerer;
    this.#connection = connection;
    this.#signaling = signaling;
    this.#notify = notify;
    this.#beforeAnswer = beforeAnswer;
    connection.addEventListener("negotiationneeded", () => this.#negotiate());
    connection.addEventListener("icecandidate", ({ candidate }) => {
      // null marks the end of gathering; the protocol has no message for it.
      if (candidate && !this.#closed) signaling.sendIceCandidate(id, JSON.stringify(candidate));
    });
    connection.addEventListener("connectionstatechange", () => this.#onConnectionState());
    connection.addEventListener("track", ({ track, streams }) => {
      this.stream = streams?.[0] ?? (typeof MediaStream === "function" ? new MediaStream([track]) : null);
      notify("track", { track, streams: [...(streams ?? [])], stream: this.stream });
    });
    connection.addEventListener("datachannel", ({ channel }) => notify("dataChannel", { channel }));
  }

  get connection() { return this.#connection; }
  get closed() { return this.#closed; }

  /** The connection's state ("new", "connecting", "connected", "disconnected", "failed") or "closed". */
  get state() { return this.#closed ? "closed" : this.#connection.connectionState; }

  /** The playback volume, 0 to 1, applied to the peer's audio element. */
  get volume() { return this.#volume; }
  set volume(value) {
    this.#volume = Math.max(0, Math.min(1, value));
    if (this.audio) this.audio.volume = this.#volume;
  }

  /**
   * Whether an offer comes from a new connection on the other side (its page reloaded, or it
   * started over): it then needs a new connection here too. Checked as messages arrive.
   */
  isFromNewConnection(sdp) {
    const fingerprint = fingerprintOf(sdp);
    return Boolean(this.#remoteFingerprint && fingerprint && fingerprint !== this.#remoteFingerprint);
  }

  receiveDescription(type, sdp) {
    this.#remoteFingerprint = fingerprintOf(sdp) ?? this.#remoteFingerprint;
    this.#enqueue(() => this.#applyDescription({ type, sdp }));
  }

  receiveCandidate(candidate) {
    this.#enqueue(() => this.#applyCandidate(candidate));
  }

  /** Asks for new ICE credentials; negotiationneeded then sends the restart offer. */
  restartIce() {
    if (!this.#closed) this.#connection.restartIce();
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#pendingCandidates = [];
    this.#connection.close();
    if (this.audio) {
      this.audio.srcObject = null;
      this.audio.remove?.();
    }
  }

  #enqueue(step) {
    this.#queue = this.#queue.then(() => (this.#closed ? undefined : step())).catch((error) => this.#fail(error));
  }

  async #negotiate() {
    // The answering side never makes the first offer; after that either side may renegotiate.
    if (this.#closed || (!this.offerer && !this.#connection.remoteDescription)) return;
    try {
      this.#makingOffer = true;
      await this.#connection.setLocalDescription();
      this.#sendLocalDescription();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#makingOffer = false;
    }
  }

  async #applyDescription(description) {
    const connection = this.#connection;
    const readyForOffer = !this.#makingOffer && (connection.signalingState === "stable" || this.#answerPending);
    const offerCollision = description.type === "offer" && !readyForOffer;
    this.#ignoreOffer = !this.polite && offerCollision;
    if (this.#ignoreOffer) return;
    // An answer to an offer this side has since rolled back: nothing to apply it to.
    if (description.type === "answer" && connection.signalingState !== "have-local-offer") return;
    this.#answerPending = description.type === "answer";
    try {
      await connection.setRemoteDescription(description);   // rolls a colliding offer back
    } finally {
      this.#answerPending = false;
    }
    if (description.type === "offer") {
      await this.#beforeAnswer(connection);
      await connection.setLocalDescription();
      this.#sendLocalDescription();
    }
    for (const candidate of this.#pendingCandidates.splice(0)) await this.#addCandidate(candidate);
  }

  async #applyCandidate(candidate) {
    if (!this.#connection.remoteDescription) this.#pendingCandidates.push(candidate);
    else await this.#addCandidate(candidate);
  }

  async #addCandidate(candidate) {
    try {
      await this.#connection.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer this side ignored (glare) are expected to fail.
      if (!this.#ignoreOffer) throw error;
    }
  }

  #sendLocalDescription() {
    if (this.#closed) return;
    const { type, sdp } = this.#connection.localDescription;
    if (type === "offer") this.#signaling.sendOffer(this.id, sdp);
    else if (type === "answer") this.#signaling.sendAnswer(this.id, sdp);
  }

  #onConnectionState() {
    if (this.#closed) return;
    const state = this.#connection.connectionState;
    this.#notify("connectionState", { state });
    // Both sides see the failure; only the offering side restarts, so the two never collide.
    if (state === "failed" && this.offerer) this.restartIce();
  }

  #fail(error) {
    if (!this.#closed) this.#notify("error", { error });
  }
}
