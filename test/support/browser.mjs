/**
 * A real browser for the chart test: Debian's Chromium (`chromium`, installed by `.ci/setup`) driven by
 * playwright-core, and a page server on 127.0.0.1 that renders Vega-Lite specs with vega-embed, vega
 * and vega-lite loaded from node_modules (their browser builds) — nothing comes from the network.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { chromium } from "playwright-core";
import { freePort } from "./free-port.mjs";
import { REPO_ROOT } from "./paths.mjs";

/** @typedef {import("playwright-core").Browser} Browser */

/** Debian's Chromium; `$SLUICE_CHROMIUM` names another binary. */
export const CHROMIUM_PATH = process.env.SLUICE_CHROMIUM || "/usr/bin/chromium";

/** The flags the browser test runs Chromium with (issue 6). */
export const CHROMIUM_ARGS = Object.freeze(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]);

/**
 * Launches headless Chromium from {@link CHROMIUM_PATH}.
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<Browser>}
 * @throws Error naming `.ci/setup` when the binary is missing (the test must fail, not skip).
 */
export async function launchChromium({ timeoutMs = 20_000 } = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `browser test: no Chromium at ${CHROMIUM_PATH} — run .ci/setup (it installs Debian's "chromium" package), or set $SLUICE_CHROMIUM`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: timeoutMs });
}

/** The browser builds served under /vendor/ (UMD: they set globals `vega`, `vegaLite`, `vegaEmbed`). */
const VENDOR = Object.freeze({
  "vega.min.js": path.join("vega", "build", "vega.min.js"),
  "vega-lite.min.js": path.join("vega-lite", "build", "vega-lite.min.js"),
  "vega-embed.min.js": path.join("vega-embed", "build", "vega-embed.min.js"),
});

/**
 * @typedef {object} ChartPageServer
 * @property {string} origin                       `http://127.0.0.1:PORT`
 * @property {(name: string, spec: object) => string} add  serves a page embedding `spec`; returns its URL
 * @property {() => Promise<void>} close
 */

/**
 * Starts a page server on 127.0.0.1 and a free port. Each page added loads vega, vega-lite and
 * vega-embed from /vendor/, embeds its spec with the SVG renderer and sets `window.__chart` to
 * `{state: "pending" | "ready" | "error", message?}`; once ready, `window.__view` is the Vega view.
 * @returns {Promise<ChartPageServer>}
 */
export async function startChartPageServer() {
  /** @type {Map<string, string>} */
  const vendor = new Map();
  for (const [name, relative] of Object.entries(VENDOR)) {
    vendor.set(name, await readFile(path.join(REPO_ROOT, "node_modules", relative), "utf8"));
  }
  /** @type {Map<string, string>} */
  const pages = new Map();

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const script = url.pathname.startsWith("/vendor/") ? vendor.get(url.pathname.slice("/vendor/".length)) : undefined;
    const page = pages.get(url.pathname);
    if (request.method !== "GET") {
      response.writeHead(405).end();
    } else if (script !== undefined) {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(script);
    } else if (page !== undefined) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(page);
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${url.pathname}`);
    }
  });

  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    try {
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve(undefined);
        });
      });
      break;
    } catch (error) {
      // Another process took the port between freePort() and listen(): try another.
      if (attempt >= 5) throw error;
    }
  }
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    add(name, spec) {
      const pathname = `/chart/${encodeURIComponent(name)}`;
      pages.set(pathname, chartPage(name, spec));
      return origin + pathname;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/**
 * The HTML of a page embedding `spec` (JSON inlined in a script element, `<` escaped).
 * @param {string} title
 * @param {object} spec
 * @returns {string}
 */
function chartPage(title, spec) {
  const json = JSON.stringify(spec).replace(/</g, "\\u003c");
  const escapedTitle = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>${escapedTitle}</title>
<link rel="icon" href="data:,">
<style>body { margin: 0; padding: 16px; background: #fff; font-family: "DejaVu Sans", sans-serif; }</style>
<script src="/vendor/vega.min.js"></script>
<script src="/vendor/vega-lite.min.js"></script>
<script src="/vendor/vega-embed.min.js"></script>
</head>
<body>
<div id="chart"></div>
<script type="application/json" id="spec">${json}</script>
<script>
  window.__chart = { state: "pending" };
  const spec = JSON.parse(document.getElementById("spec").textContent);
  vegaEmbed("#chart", spec, { renderer: "svg", actions: false })
    .then((result) => {
      window.__view = result.view;
      window.__chart = { state: "ready" };
    })
    .catch((error) => {
      window.__chart = { state: "error", message: String((error && error.stack) || error) };
      console.error("vega-embed failed:", error);
    });
</script>
</body>
</html>
`;
}
