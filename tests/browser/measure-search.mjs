// What one search costs the reader: bytes and requests (page load included) and the time until
// the first results are drawn, on a built site served by a plain local static server (no
// compression, no caching headers: the worst case), in a fresh browser context (cold cache).
//
//   node tests/browser/measure-search.mjs SITE_DIR [QUERY ...]
//
// For each query three journeys are measured: opening a shared link `search/?q=QUERY`; the same,
// then pressing "Show filters"; and opening `search/` (which lists every retro, newest first), then
// typing QUERY. Prints one line per journey and, with RB_VERBOSE=1, every request. RB_GZIP=1 has
// the server gzip text files (HTML, CSS, JS, JSON) as most static hosts do; Pagefind's own index
// files are gzipped already either way. RB_LATENCY=MS adds MS milliseconds to every request
// (Chromium's network emulation), as a host across the internet would. Not part of the test suite: docs/benchmarks.md
// records its figures (the synthetic 10k book, issue 19).
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

const [site, ...queries] = process.argv.slice(2);
if (!site) {
  console.error("usage: node measure-search.mjs SITE_DIR [QUERY ...]");
  process.exit(2);
}
const TYPES = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
  ".svg": "image/svg+xml", ".xml": "application/xml" };
const server = createServer(async (req, res) => {
  let rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (rel.endsWith("/")) rel += "index.html";
  const file = path.join(site, path.normalize(rel));
  if (!file.startsWith(path.resolve(site))) { res.writeHead(403); res.end(); return; }
  try {
    let body = await readFile(file);
    const type = TYPES[path.extname(file)];
    const headers = { "content-type": type || "application/octet-stream" };
    if (process.env.RB_GZIP && type && /gzip/.test(req.headers["accept-encoding"] || "")) {
      body = gzipSync(body);
      headers["content-encoding"] = "gzip";
    }
    res.writeHead(200, headers);
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  headless: true,
});

// The time (ms since navigation start) at which #rb-search-results first holds a result for `want`
// (null: the listing of every retro), recorded by the page itself.
function recordFirstDraw() {
  window.__rbDrawn = {};
  new MutationObserver(() => {
    const list = document.getElementById("rb-search-results");
    const status = document.getElementById("rb-search-status");
    if (!list || !status) return;
    // A query's status names it ("3 results for …", "No results for …"); the listing's does not.
    const key = /results? for/i.test(status.textContent) ? "query" : list.querySelector("li a") ? "listing" : null;
    if (!key) return;
    if (!(key in window.__rbDrawn)) window.__rbDrawn[key] = performance.now();
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

async function journey(name, run) {
  const context = await browser.newContext();
  await context.addInitScript(recordFirstDraw);
  const page = await context.newPage();
  if (process.env.RB_LATENCY) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: Number(process.env.RB_LATENCY),
      downloadThroughput: -1, uploadThroughput: -1 });
  }
  const requests = [];
  page.on("requestfinished", async (request) => {
    const sizes = await request.sizes().catch(() => null);
    requests.push({ url: request.url().replace(base, "/"), bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0 });
  });
  const drawnAt = await run(page);
  await page.waitForLoadState("networkidle");
  await new Promise((r) => setTimeout(r, 300));
  const bytes = requests.reduce((s, r) => s + r.bytes, 0);
  const results = await page.$$eval("#rb-search-results li", (l) => l.length);
  const status = await page.textContent("#rb-search-status");
  console.log(`${name}: ${requests.length} requests, ${(bytes / 1024).toFixed(0)} KiB, first results drawn at ` +
    `${drawnAt.toFixed(0)} ms; ${results} shown: ${status.trim()}`);
  if (process.env.RB_VERBOSE) for (const r of requests) console.log(`  ${String(r.bytes).padStart(8)}  ${r.url}`);
  await context.close();
}

const waitQuery = (page) => page.waitForFunction(() => window.__rbDrawn.query !== undefined, null, { timeout: 60000 });
for (const q of queries.length ? queries : ["backoff"]) {
  await journey(`link search/?q=${q}`, async (page) => {
    await page.goto(base + "search/?q=" + encodeURIComponent(q));
    await waitQuery(page);
    return page.evaluate(() => window.__rbDrawn.query);
  });
  await journey(`link search/?q=${q}, then Show filters`, async (page) => {
    await page.goto(base + "search/?q=" + encodeURIComponent(q));
    await waitQuery(page);
    const drawn = await page.evaluate(() => window.__rbDrawn.query);
    // (A site that loads the facets with the page has no such button.)
    if (!(await page.$("#rb-search-facets button[data-load-filters]"))) return drawn;
    await page.click("#rb-search-facets button[data-load-filters]");
    // Loaded: the button is gone (no facet boxes when nothing matched).
    await page.waitForFunction(() => !document.querySelector("#rb-search-facets button[data-load-filters]"), null,
      { timeout: 60000 });
    return drawn;
  });
  await journey(`open search/, type ${q}`, async (page) => {
    await page.goto(base + "search/");
    await page.waitForFunction(() => window.__rbDrawn.listing !== undefined, null, { timeout: 60000 });
    const typedAt = await page.evaluate(() => performance.now());
    await page.fill("#rb-search-input", q);
    await waitQuery(page);
    // From the keystroke, less the script's typing debounce (250 ms): the search itself.
    return page.evaluate((t) => window.__rbDrawn.query - t - 250, typedAt);
  });
}
await browser.close();
server.close();
