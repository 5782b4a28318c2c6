// Tokenize .bpr files with the TextMate grammar of editors/vscode (vscode-textmate and
// vscode-oniguruma, the engine VS Code uses) and print, as JSON, for each file:
// the characters left with no scope but the root, and the scope of every token.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const require = createRequire(import.meta.url);
const [grammarPath, ...files] = process.argv.slice(2);
const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
await oniguruma.loadWASM(wasm);
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (p) => new oniguruma.OnigScanner(p),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async () => vsctm.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath),
});
const grammar = await registry.loadGrammar("source.bpr");
const out = {};
for (const file of files) {
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  let stack = vsctm.INITIAL;
  const unscoped = [], tokens = [];
  lines.forEach((line, n) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      if (!text.trim()) continue;
      const scopes = t.scopes.slice(1);
      if (scopes.length === 0) unscoped.push([n + 1, t.startIndex + 1, text]);
      tokens.push([n + 1, text, scopes.join(" ")]);
    }
    stack = r.ruleStack;
  });
  out[file] = { unscoped, tokens };
}
console.log(JSON.stringify(out));
