// One RTCPeerConnection per nearby peer: audio both ways, and a data channel on which each side
// sends where it stands so the other can draw it and set its volume by distance.

export class Peer {
  constructor({ id, polite, signaling, iceServers, microphone, onChange }) {
    this.id = id;
    this.offerer = !polite;
    this.state = "new";
    this.position = null;
    this.hasRemoteAudio = false;
    this.audio = null;
    this.channel = null;
    this.closed = false;
    this._signaling = signaling;
    this._onChange = onChange;
    this._pendingCandidates = [];
    this._pc = new RTCPeerConnection({ iceServers });
    this._pc.onicecandidate = ({ candidate }) => {
      if (candidate) signaling.sendCandidate(id, JSON.stringify(candidate));
    };
    this._pc.onconnectionstatechange = () => {
      this.state = this._pc.connectionState;
      onChange(this);
    };
    this._pc.ontrack = ({ track, streams }) => {
      this.audio = new Audio();
      this.audio.autoplay = true;
      this.audio.srcObject = streams[0] ?? new MediaStream([track]);
      document.getElementById("audio").append(this.audio);
      this.hasRemoteAudio = true;
      onChange(this);
    };
    this._pc.ondatachannel = ({ channel }) => this._useChannel(channel);
    this._microphone = microphone;
  }

  /** The offering side (a deterministic rule picks it, so both never offer at once). */
  async start() {
    this._useChannel(this._pc.createDataChannel("positions"));
    this._pc.addTransceiver(this._microphone ?? "audio", { direction: "sendrecv" });
    await this._pc.setLocalDescription(await this._pc.createOffer());
    this._signaling.sendOffer(this.id, this._pc.localDescription.sdp);
  }

  async acceptOffer(sdp) {
    await this._pc.setRemoteDescription({ type: "offer", sdp });
    for (const transceiver of this._pc.getTransceivers()) {
      transceiver.direction = "sendrecv";
      if (this._microphone) await transceiver.sender.replaceTrack(this._microphone);
    }
    await this._flushCandidates();
    await this._pc.setLocalDescription(await this._pc.createAnswer());
    this._signaling.sendAnswer(this.id, this._pc.localDescription.sdp);
  }

  async acceptAnswer(sdp) {
    await this._pc.setRemoteDescription({ type: "answer", sdp });
    await this._flushCandidates();
  }

  async addCandidate(json) {
    const candidate = JSON.parse(json);
    if (this._pc.remoteDescription) await this._pc.addIceCandidate(candidate);
    else this._pendingCandidates.push(candidate);
  }

  sendPosition(position) {
    if (this.channel?.readyState === "open") this.channel.send(JSON.stringify(position));
  }

  /** Louder when closer: full volume at 0, silent at the disconnection range. */
  setVolumeFrom(me, range) {
    if (!this.audio || !this.position || this.position.map_id !== me.map_id) return;
    const distance = Math.hypot(this.position.x - me.x, this.position.y - me.y);
    this.audio.volume = Math.max(0, Math.min(1, 1 - distance / range));
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.state = "closed";
    this.channel?.close();
    this._pc.close();
    this.audio?.remove();
    this._onChange(this);
  }

  _useChannel(channel) {
    this.channel = channel;
    channel.onopen = () => this._onChange(this);
    channel.onmessage = ({ data }) => {
      this.position = JSON.parse(data);
      this._onChange(this);
    };
  }

  async _flushCandidates() {
    for (const candidate of this._pendingCandidates.splice(0)) await this._pc.addIceCandidate(candidate);
  }
}
