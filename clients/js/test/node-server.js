// Starts a real ProxChat node (the built Host) on a free loopback port for the integration tests.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";

const defaultDll = fileURLToPath(new URL("../../../src/Host/bin/Release/net10.0/ProxChat.Host.dll", import.meta.url));
export const hostDll = process.env.PROXCHAT_HOST_DLL ?? defaultDll;

/**
 * A node listening on 127.0.0.1; port 0 picks a free one (read from the node's own log line).
 * Stopped by t.after. `settings` are ProxChat configuration keys, e.g. { ClientTimeoutSeconds: 1 }.
 */
export async function startNode(t, settings = {}, port = 0) {
  if (!existsSync(hostDll)) throw new Error(`no built node at ${hostDll}: dotnet build src/Host -c Release (or set PROXCHAT_HOST_DLL)`);
  const args = [hostDll, "--urls", `http://127.0.0.1:${port}`, "--ProxChat:ReintroductionIntervalSeconds=0"];
  for (const [key, value] of Object.entries(settings)) args.push(`--ProxChat:${key}=${value}`);
  const child = spawn("dotnet", args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DOTNET_NOLOGO: "1" } });
  let log = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start within 30 s:\n${log}`)), 30_000);
    const read = (chunk) => {
      log += chunk;
      const match = /Now listening on: http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.setEncoding("utf8").on("data", read);
    child.stderr.setEncoding("utf8").on("data", read);
    exited.then((code) => { clearTimeout(timer); reject(new Error(`node exited with ${code}:\n${log}`)); });
  });
  const boundPort = await listening;
  await waitReady(`http://127.0.0.1:${boundPort}/readyz`);
  let stopped = false;
  const node = {
    port: boundPort,
    url: `ws://127.0.0.1:${boundPort}/`,
    get log() { return log; },
    /** SIGTERM: the node drains (its clients get 1001) and exits. */
    async stop() {
      if (!stopped) {
        stopped = true;
        child.kill("SIGTERM");
      }
      await exited;
    },
  };
  t.after(() => node.stop());
  return node;
}

async function waitReady(url) {
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${url} not ready within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
