// Render Mermaid files to SVG in one browser page: mermaid-cli's page (dist/index.html)
// and its mermaid, loaded once, then mermaid.render for each file, as mmdc's
// renderMermaid does for its one file (mmdc takes one input per run and starts a
// browser and loads mermaid each time: 2 s a file). mmdc's defaults: theme "default",
// white background, 800 × 600, headless "shell" laid under the puppeteer config file.
// Used by tests/browser.py (mermaid_svgs).
//
//   node mermaid_render.mjs PUPPETEER.json IN1.mmd OUT1.svg [IN2.mmd OUT2.svg …]
//
// Prints one JSON object: input path → {"ok": true} or {"error": "…"} (mermaid's parse
// error, as mmdc prints it). Exit 0 when the page ran, 1 when it did not.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import url from "node:url";
import puppeteer from "puppeteer";

const [configFile, ...pairs] = process.argv.slice(2);
if (!configFile || pairs.length === 0 || pairs.length % 2) {
  console.error("usage: node mermaid_render.mjs PUPPETEER.json IN.mmd OUT.svg [...]");
  process.exit(2);
}
const modules = path.join(path.dirname(url.fileURLToPath(import.meta.url)), "node_modules");
const cli = path.join(modules, "@mermaid-js", "mermaid-cli");
// the mermaid mmdc loads: its own copy if it has one, else the shared one
const mermaidFile = [path.join(cli, "node_modules"), modules]
  .map((m) => path.join(m, "mermaid", "dist", "mermaid.esm.mjs")).find((f) => existsSync(f));
const ORIGIN = "https://mermaid.invalid"; // never fetched: answered from mermaid's files

const config = { headless: "shell", ...JSON.parse(readFileSync(configFile, "utf8")) };
const browser = await puppeteer.launch(config);
const out = {};
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 800, height: 600, deviceScaleFactor: 1 });
  page.on("console", (msg) => console.error(msg.text()));
  await page.setRequestInterception(true);
  const dist = path.dirname(mermaidFile); // mermaid's module and the chunks it imports
  page.on("request", (request) => {
    const asked = request.url();
    if (asked.startsWith(`${ORIGIN}/`)) {
      const file = path.resolve(decodeURIComponent(new URL(asked).pathname));
      if (file.startsWith(dist + path.sep) && /\.m?js$/.test(file) && existsSync(file)) {
        request.respond({ status: 200, contentType: "application/javascript",
                          headers: { "Access-Control-Allow-Origin": "*" },
                          body: readFileSync(file) });
        return;
      }
    } else if (asked.startsWith("file:")) {
      request.continue();
      return;
    }
    request.abort();
  });
  await page.goto(url.pathToFileURL(path.join(cli, "dist", "index.html")).href);
  await page.evaluate(async (src) => {
    const { default: mermaid } = await import(src);
    mermaid.initialize({ startOnLoad: false, theme: "default" });
    document.body.style.background = "white";
    window.renderOne = async (definition) => {
      const container = document.getElementById("container");
      container.innerHTML = "";
      const { svg: svgText } = await mermaid.render("my-svg", definition, container);
      container.innerHTML = svgText;
      const svg = container.getElementsByTagName("svg")[0];
      svg.style.backgroundColor = "white";
      return new XMLSerializer().serializeToString(svg);
    };
  }, ORIGIN + url.pathToFileURL(mermaidFile).pathname);
  for (let i = 0; i < pairs.length; i += 2) {
    const [input, output] = [pairs[i], pairs[i + 1]];
    try {
      const svg = await page.evaluate((d) => window.renderOne(d), readFileSync(input, "utf8"));
      writeFileSync(output, svg, "utf8");
      out[input] = { ok: true };
    } catch (err) {
      out[input] = { error: String((err && err.message) || err) };
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
