// Parse BPMN files with bpmn-moddle (the parser of bpmn-js) and print, as JSON,
// each file's warnings and the element types it holds. Used by tests/test_bpmn.py.
import { readFileSync } from "node:fs";
import BpmnModdle from "bpmn-moddle";

const out = {};
for (const file of process.argv.slice(2)) {
  const moddle = new BpmnModdle();
  try {
    const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, "utf8"));
    const types = {};
    const walk = (el, seen) => {
      if (!el || typeof el !== "object" || seen.has(el)) return;
      seen.add(el);
      if (el.$type) types[el.$type] = (types[el.$type] || 0) + 1;
      for (const key of Object.keys(el)) {
        if (key.startsWith("$") && key !== "$children") continue;
        const v = el[key];
        if (Array.isArray(v)) v.forEach((x) => walk(x, seen));
        else if (v && typeof v === "object" && v.$type && key !== "$parent") walk(v, seen);
      }
    };
    walk(rootElement, new Set());
    out[file] = { warnings: warnings.map((w) => w.message), types };
  } catch (err) {
    out[file] = { error: String(err.message || err) };
  }
}
console.log(JSON.stringify(out));
