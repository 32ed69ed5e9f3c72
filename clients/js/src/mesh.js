// The mesh layer: one RTCPeerConnection for each peer in the node's NearbyPeers list, made when
// a peer comes near and hung up when it leaves. Sits on a SignalingClient (or anything with its
// methods and events).
import { Emitter } from "./emitter.js";
import { MeshPeer } from "./peer.js";

const candidateBufferLimit = 200;

/** Louder when closer: 1 at distance 0, falling linearly to 0 at `range` and beyond. */
export function volumeForDistance(distance, range) {
  if (!(range > 0)) return distance > 0 ? 0 : 1;
  return Math.max(0, Math.min(1, 1 - distance / range));
}

export class PeerMesh extends Emitter {
  #signaling;
  #RTCPeerConnection;
  #configuration;
  #localStream;
  #kinds;
  #dataChannels;
  #volumeRange;
  #playAudio;
  #createAudio;
  #audioContainer;
  #peers = new Map();
  #earlyCandidates = new Map();  // candidates from peers this side has no connection for yet
  #renewUnconnected = false;
  #unsubscribe;
  #closed = false;

  constructor({
    signaling, RTCPeerConnection, configuration = {}, localStream = null, media = { audio: true },
    dataChannels = [], volumeRange = 25, playAudio = false, createAudio, audioContainer = null,
    requestIceServers = false,
  } = {}) {
    super();
    if (!signaling) throw new TypeError("signaling is required");
    this.#signaling = signaling;
    this.#RTCPeerConnection = RTCPeerConnection ?? globalThis.RTCPeerConnection;
    if (typeof this.#RTCPeerConnection !== "function") throw new TypeError("no RTCPeerConnection: pass one");
    this.#configuration = { ...configuration };
    this.#localStream = localStream;
    this.#kinds = Object.entries(media).filter(([, wanted]) => wanted).map(([kind]) => kind);
    this.#dataChannels = dataChannels.map((channel) => (typeof channel === "string" ? { label: channel } : channel));
    this.#volumeRange = volumeRange;
    this.#playAudio = playAudio;
    this.#createAudio = createAudio ?? (() => new Audio());
    this.#audioContainer = audioContainer;
    this.#unsubscribe = [
      signaling.on("nearbyPeers", ({ peers }) => this.#onNearbyPeers(peers)),
      signaling.on("offer", ({ senderId, offer }) => this.#onOffer(senderId, offer)),
      signaling.on("answer", ({ senderId, answer }) => this.#peers.get(senderId)?.receiveDescription("answer", answer)),
      signaling.on("candidate", ({ senderId, candidate }) => this.#onCandidate(senderId, candidate)),
      signaling.on("iceServers", ({ iceServers }) => this.setIceServers(iceServers)),
      // Messages may have been lost while the socket was down: connections still negotiating
      // start over once the node has listed the peers again.
      signaling.on("open", ({ reconnected }) => { if (reconnected) this.#renewUnconnected = true; }),
    ];
    if (requestIceServers) signaling.requestIceServers();
  }

  /** The current peers, by client_id. */
  get peers() { return new Map(this.#peers); }

  peer(id) { return this.#peers.get(id); }

  /** The configuration new connections get (and existing ones, for iceServers). */
  get configuration() { return { ...this.#configuration }; }

  /** New ICE servers (e.g. fresh TURN credentials): applied to every connection, old and new. */
  setIceServers(iceServers) {
    this.#configuration = { ...this.#configuration, iceServers };
    for (const peer of this.#peers.values()) {
      try {
        peer.connection.setConfiguration({ ...peer.connection.getConfiguration(), iceServers });
      } catch (error) {
        this.emit("error", { peerId: peer.id, error });
      }
    }
  }

  /** Sets a peer's playback volume (0 to 1). */
  setVolume(id, volume) {
    const peer = this.#peers.get(id);
    if (peer) peer.volume = volume;
  }

  /** Sets a peer's volume from its distance: full when close, silent at volumeRange. */
  setDistance(id, distance) {
    this.setVolume(id, volumeForDistance(distance, this.#volumeRange));
  }

  /** Hangs up on every peer and stops listening to the signaling client (which stays open). */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    for (const id of [...this.#peers.keys()]) this.#hangUp(id, "closed");
    this.#earlyCandidates.clear();
  }

  #onNearbyPeers(ids) {
    const nearby = new Set(ids);
    for (const id of [...this.#peers.keys()]) {
      if (!nearby.has(id)) this.#hangUp(id, "left");
    }
    for (const id of [...this.#earlyCandidates.keys()]) {
      if (!nearby.has(id)) this.#earlyCandidates.delete(id);
    }
    const renew = this.#renewUnconnected;
    this.#renewUnconnected = false;
    for (const id of nearby) {
      const peer = this.#peers.get(id);
      if (peer && renew && peer.offerer && peer.state !== "connected") {
        this.#hangUp(id, "renewed");
        this.#connect(id);
      } else if (!peer && this.#signaling.clientId < id) {
        this.#connect(id);
      }
    }
  }

  #onOffer(senderId, sdp) {
    let peer = this.#peers.get(senderId);
    if (peer?.isFromNewConnection(sdp)) {
      this.#hangUp(senderId, "replaced");
      peer = undefined;
    }
    // An offer may overtake the NearbyPeers that lists its sender: the node relays offers only
    // between peers it introduced, and a later list without the sender hangs up.
    (peer ?? this.#create(senderId)).receiveDescription("offer", sdp);
  }

  #onCandidate(senderId, json) {
    let candidate;
    try {
      candidate = JSON.parse(json);
    } catch (error) {
      this.emit("error", { peerId: senderId, error });
      return;
    }
    const peer = this.#peers.get(senderId);
    if (peer) {
      peer.receiveCandidate(candidate);
      return;
    }
    const early = this.#earlyCandidates.get(senderId) ?? [];
    if (early.length < candidateBufferLimit) early.push(candidate);
    this.#earlyCandidates.set(senderId, early);
  }

  /** The offering side: media and data channels on a new connection; negotiationneeded offers. */
  #connect(id) {
    const peer = this.#create(id);
    const connection = peer.connection;
    for (const kind of this.#kinds) {
      const track = this.#localTrack(kind);
      connection.addTransceiver(track ?? kind, { direction: "sendrecv", streams: this.#localStream ? [this.#localStream] : [] });
    }
    for (const { label, ...options } of this.#dataChannels) {
      if (!options.negotiated) this.emit("dataChannel", { peerId: id, channel: connection.createDataChannel(label, options) });
    }
  }

  #create(id) {
    const connection = new this.#RTCPeerConnection(this.#configuration);
    const peer = new MeshPeer({
      id,
      localId: this.#signaling.clientId,
      connection,
      signaling: this.#signaling,
      notify: (type, detail) => this.#onPeerEvent(peer, type, detail),
      beforeAnswer: (offered) => this.#useLocalMedia(offered),
    });
    this.#peers.set(id, peer);
    // Channels both sides create with the same id need no negotiation of their own.
    for (const { label, ...options } of this.#dataChannels) {
      if (options.negotiated) this.emit("dataChannel", { peerId: id, channel: connection.createDataChannel(label, options) });
    }
    this.emit("peer", { peerId: id, peer });
    for (const candidate of this.#earlyCandidates.get(id) ?? []) peer.receiveCandidate(candidate);
    this.#earlyCandidates.delete(id);
    return peer;
  }

  /** The answering side: local tracks go out on the media the offer brought, so no renegotiation. */
  async #useLocalMedia(connection) {
    for (const transceiver of connection.getTransceivers()) {
      const kind = transceiver.receiver.track?.kind;
      if (!this.#kinds.includes(kind) || transceiver.currentDirection === "stopped") continue;
      if (transceiver.direction !== "sendrecv") transceiver.direction = "sendrecv";
      const track = this.#localTrack(kind);
      if (track && !transceiver.sender.track) {
        await transceiver.sender.replaceTrack(track);
        if (this.#localStream) transceiver.sender.setStreams?.(this.#localStream);
      }
    }
  }

  #localTrack(kind) {
    return this.#localStream?.getTracks().find((track) => track.kind === kind) ?? null;
  }

  #onPeerEvent(peer, type, detail) {
    if (this.#peers.get(peer.id) !== peer) return;
    if (type === "track" && this.#playAudio && detail.track.kind === "audio") this.#play(peer);
    this.emit(type, { peerId: peer.id, ...detail });
  }

  #play(peer) {
    if (!peer.audio) {
      peer.audio = this.#createAudio(peer.id);
      peer.audio.autoplay = true;
      this.#audioContainer?.append(peer.audio);
    }
    peer.audio.srcObject = peer.stream;
    peer.audio.volume = peer.volume;
  }

  #hangUp(id, reason) {
    const peer = this.#peers.get(id);
    if (!peer) return;
    this.#peers.delete(id);
    peer.close();
    this.emit("peerClosed", { peerId: id, reason });
  }
}
