// Runs test262 tests under node as test262-harness does (INTERPRETING.md): the harness
// files assert.js and sta.js, doneprintHandle.js for `flags: [async]`, then the
// test's `includes` (from DIR/harness beside the tests, or --includes), then the test;
// without onlyStrict, noStrict or raw it runs twice, once with "use strict"; prepended.
// An async test passes when it prints Test262:AsyncTestComplete and no failure.
//   node tests/test262-run.js [--host good|gc-throws|no-timers] [--preload FILE]...
//        [--includes DIR] [--harness DIR] [--expect pass|fail] TEST.js...
// --harness takes assert.js, sta.js and doneprintHandle.js from a test262 checkout's
// harness/ instead of the minimal equivalents in tests/test262-harness/.
// Prints one line per run; exits 0 when every run came out as --expect says.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const options = { host: "good", preloads: [], includes: null, expect: "pass", tests: [],
                  harness: path.join(__dirname, "test262-harness") };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const value = () => {
    if (i + 1 >= args.length) throw new Error(args[i] + " needs a value");
    return args[++i];
  };
  if (args[i] === "--host") options.host = value();
  else if (args[i] === "--preload") options.preloads.push(path.resolve(value()));
  else if (args[i] === "--includes") options.includes = value();
  else if (args[i] === "--harness") options.harness = value();
  else if (args[i] === "--expect") options.expect = value();
  else options.tests.push(args[i]);
}

// The front matter's inline lists (`includes: [a.js]`, `flags: [async]`).
function frontMatterList(source, key) {
  const meta = /\/\*---([\s\S]*?)---\*\//.exec(source);
  if (!meta) throw new Error("no front matter");
  const list = new RegExp("^" + key + ":\\s*\\[(.*)\\]\\s*$", "m").exec(meta[1]);
  if (!list && new RegExp("^" + key + ":", "m").test(meta[1])) {
    throw new Error(key + ": only the [a, b] form is read here");
  }
  return list ? list[1].split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
}

function run(test, strict, flags, includes) {
  const parts = flags.includes("raw") ? [] : ["assert.js", "sta.js"].map((f) => path.join(options.harness, f));
  if (flags.includes("async")) parts.push(path.join(options.harness, "doneprintHandle.js"));
  const dir = options.includes ?? path.join(path.dirname(test), "harness");
  for (const include of includes) parts.push(path.join(dir, include));
  parts.push(test);
  const source = (strict ? '"use strict";\n' : "") +
                 parts.map((p) => fs.readFileSync(p, "utf8")).join("\n");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "test262-")), path.basename(test));
  fs.writeFileSync(file, source);
  const preloads = [path.join(__dirname, "test262-shim.js"), ...options.preloads];
  const child = spawnSync(process.execPath,
                          ["--expose-gc", ...preloads.flatMap((p) => ["--require", p]), file],
                          { encoding: "utf8", timeout: 60000,
                            env: { ...process.env, FINRIG_TEST262_HOST: options.host } });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const out = (child.stdout ?? "") + (child.stderr ?? "");
  let passed = child.status === 0 && !child.error;
  if (flags.includes("async")) {
    passed = passed && out.includes("Test262:AsyncTestComplete") &&
             !out.includes("Test262:AsyncTestFailure");
  }
  return { passed, out: out.trim() || (child.error ? String(child.error) : "exit " + child.status) };
}

let ok = true;
for (const test of options.tests) {
  const source = fs.readFileSync(test, "utf8");
  const flags = frontMatterList(source, "flags");
  const includes = frontMatterList(source, "includes");
  if (/^negative:/m.test(source)) throw new Error(test + ": negative tests are not supported");
  const modes = flags.includes("onlyStrict") ? [true]
              : flags.includes("noStrict") || flags.includes("raw") ? [false] : [false, true];
  for (const strict of modes) {
    const { passed, out } = run(test, strict, flags, includes);
    const as = options.expect === "pass" ? passed : !passed;
    ok = ok && as;
    console.log((passed ? "PASS " : "FAIL ") + test + (strict ? " (strict)" : " (non-strict)") +
                (as ? "" : "  <- expected to " + options.expect) +
                (passed ? "" : "\n  " + out.split("\n").slice(0, 4).join("\n  ")));
  }
}
process.exit(ok ? 0 : 1);
