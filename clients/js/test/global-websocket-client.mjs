// Run by the integration tests in a Node process that has a global WebSocket (Node 22+, or 20
// with --experimental-websocket): two clients with no WebSocket option meet on the node given.
import { SignalingClient } from "../src/index.js";

const url = process.argv[2];
const clients = ["alice", "bob"].map((clientId) => new SignalingClient({ url, clientId }));
const met = clients.map((client) => new Promise((resolve) => client.on("nearbyPeers", ({ peers }) => { if (peers.length === 1) resolve(peers[0]); })));
clients.forEach((client, i) => { client.updatePosition(1, i, 0); client.connect(); });
const timer = setTimeout(() => { console.error("timed out"); process.exit(1); }, 10_000);
console.log((await Promise.all(met)).join(","));
clearTimeout(timer);
clients.forEach((client) => client.close());
