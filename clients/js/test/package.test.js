// The package as npm would publish it: its contents, its entry points, and its type declarations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

test("npm pack holds the sources, their declarations, the README and nothing else", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }));
  assert.equal(packed.name, "@proxchat/client");
  assert.equal(packed.version, "0.9.0");
  const files = packed.files.map((f) => f.path).sort();
  const sources = ["close-codes", "emitter", "index", "mesh", "peer", "signaling"];
  const expected = ["README.md", "package.json", ...sources.flatMap((s) => [`src/${s}.js`, `src/${s}.d.ts`]), "src/messages.d.ts"].sort();
  assert.deepEqual(files, expected);
  // Every entry point named in package.json is in the package.
  const targets = [manifest.main, manifest.types, ...Object.values(manifest.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e)))];
  for (const target of targets) assert.ok(files.includes(target.replace(/^\.\//, "")), `${target} is packed`);
});

test("the manifest: an ES module with no runtime dependency", () => {
  assert.equal(manifest.type, "module");
  assert.equal(manifest.dependencies, undefined);
  assert.equal(manifest.peerDependenciesMeta.ws.optional, true);
});

test("every runtime export is declared, and the subpath exports load", async () => {
  const runtime = Object.keys(await import("@proxchat/client")).sort();
  const declarations = readFileSync(new URL("../src/index.d.ts", import.meta.url), "utf8");
  const declared = [...declarations.matchAll(/^export \{([^}]+)\}/gm)].flatMap(([, names]) => names.split(",").map((n) => n.trim())).filter(Boolean).sort();
  assert.deepEqual(declared, runtime);
  assert.equal(typeof (await import("@proxchat/client/signaling")).SignalingClient, "function");
  assert.equal(typeof (await import("@proxchat/client/mesh")).PeerMesh, "function");
});

test("tsc --noEmit accepts the declarations and the typed usage file (and its expected errors)", () => {
  const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: root, encoding: "utf8" });
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
  }
});
