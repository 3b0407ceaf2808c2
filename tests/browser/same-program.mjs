// The site ships the built-in scripts minified (src/render/theme.rs). This checks that minifying
// changed nothing but spelling: each shipped script must parse (acorn, the parser of webpack and
// Rollup) to the same syntax tree as its source in the theme, once positions and the raw spelling
// of literals are left out. Run by tests/browser.rs:
//
//   node tests/browser/same-program.mjs THEME_JS_DIR SITE_JS_DIR
//
// Prints one line per script; exits non-zero when a script is missing, does not parse, or differs.
import * as acorn from "acorn";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const [source, shipped] = process.argv.slice(2);
if (!source || !shipped) {
  console.error("usage: node same-program.mjs THEME_JS_DIR SITE_JS_DIR");
  process.exit(2);
}

// A program as JSON without what spelling decides: offsets, and `raw` (a literal's quotes, a
// number's digits as written). Values, regular expressions' patterns and flags, and template
// strings' cooked text stay.
function tree(file) {
  const program = acorn.parse(readFileSync(file, "utf8"), { ecmaVersion: "latest", sourceType: "script" });
  return JSON.stringify(program, (key, value) => (key === "start" || key === "end" || key === "raw" ? undefined : value));
}

let failed = 0;
const scripts = readdirSync(source).filter((name) => name.endsWith(".js")).sort();
if (!scripts.length) {
  console.error(`no scripts in ${source}`);
  process.exit(1);
}
for (const name of scripts) {
  const from = path.join(source, name);
  const to = path.join(shipped, name);
  let verdict;
  try {
    const [a, b] = [tree(from), tree(to)];
    const [before, after] = [readFileSync(from).length, readFileSync(to).length];
    verdict = a === b ? `same program (${before} → ${after} bytes)` : "DIFFERENT program";
    if (a !== b) failed++;
  } catch (error) {
    verdict = `FAILED: ${error.message}`;
    failed++;
  }
  console.log(`${name}: ${verdict}`);
}
process.exit(failed ? 1 : 0);
