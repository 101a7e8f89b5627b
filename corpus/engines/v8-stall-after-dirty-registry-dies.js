// v8-stall-after-dirty-registry-dies.js: a standalone repro of a finding of finrig's.
//   finrig diff --engine node: engine (minimized: 6 ops -> 6 (18 engine runs))
//   from corpus/engines/v8-stall-after-dirty-registry-dies.fr
//   reproduced on a second run: yes
//   minimized while it showed: stalled
//   signature: engine stalled | register gc
//
// What the engine did: invariant 12 (completeness): after this program the engine ran no
// cleanup callback at all, not even a fresh registry's
//
// The rule: invariant 12 (completeness). ECMA-262, Objectives (sec-weakref-invariants),
// (none: a liveness rule): "This specification does not make any guarantees that any
// object or symbol will be garbage collected." finrig's --strict completeness (after a
// full gc and some tasks, every cell of a live registry whose target died is delivered) is
// what engines that collect everything promise, not what ECMA-262 requires. A loss of
// liveness, not a breach of the letter.
// https://tc39.es/ecma262/#sec-weakref-invariants
//
// The program, in finrig's .fr language (v8-stall-after-dirty-registry-dies.fr; profile es2023):
//   # profile: es2023
//   h0 = registry
//   h1 = object
//   register h0 h1 undefined
//   drop h1
//   gc
//   drop h0
//   gc
//   turn
//   turn
//   turn
//
// Beyond what every engine must do, it checks that after the program a fresh registry's
// callback still comes within 8 tasks of a full collection: an engine may skip any
// cleanup, but one that stops all cleanup for good has lost it. No test262 test: what it
// shows comes after the program's first gc or turn, where what an engine does may depend
// on what its host collected and when it cleaned up; ECMA-262 requires no collection, and
// test262 does not test collection.
//
// Run it with the shell's collector exposed:
//   node --expose-gc v8-stall-after-dirty-registry-dies.js
//   deno run --v8-flags=--expose-gc v8-stall-after-dirty-registry-dies.js
//   bun v8-stall-after-dirty-registry-dies.js
//   d8 --expose-gc v8-stall-after-dirty-registry-dies.js
//   js v8-stall-after-dirty-registry-dies.js  (SpiderMonkey)
//   jsc v8-stall-after-dirty-registry-dies.js
//   qjs --std v8-stall-after-dirty-registry-dies.js
// It prints one line per check, "expected X, got Y", and ends with PASS or FAIL; a host
// without a collector and timers fails it, never passes it.
"use strict";
const print = globalThis.__finrig ? (s) => __finrig.print(s)  // finrig's QuickJS host
  : typeof console === "object" && typeof console.log === "function" ? (s) => console.log(s)
  : (s) => globalThis.print(s);                                // d8, js, jsc
// A full collection: node/deno --expose-gc, d8 --expose-gc, SpiderMonkey's js and jsc
// give gc(); Bun's gc() may collect what a WeakRef keeps alive in the same job, so
// bun:jsc's fullGC; qjs --std gives std.gc; quickjs-emscripten exports none, so make
// cyclic garbage until a cycle made first is gone. Null: no collector.
const collector = typeof Bun === "object" ? require("bun:jsc").fullGC
  : typeof gc === "function" ? gc
  : typeof std === "object" && typeof std.gc === "function" ? std.gc
  : globalThis.__finrig ? () => {
    const sentinels = [];
    for (let i = 0; i < 64; i++) {
      const o = {};
      o.o = o;
      sentinels.push(new WeakRef(o));
    }
    for (const sentinel of sentinels) {
      for (let i = 0; i < 2048; i++) {
        const a = {};
        a.b = { a };
      }
      if (sentinel.deref() === undefined) return;
    }
    throw new Error("gc: no cycle collection after 131072 cyclic allocations");
  } : null;
// One task of the host's event loop, by which time it has run the cleanup jobs it posted.
const task = globalThis.__finrig ? () => new Promise((r) => __finrig.tasks.push(r))
  : typeof setTimeout === "function" ? () => new Promise((r) => setTimeout(r, 0))
  : typeof os === "object" && typeof os.setTimeout === "function" ? () => new Promise((r) => os.setTimeout(r, 0))
  : null;

const failures = [];
let finished = false;
const fail = (message) => { failures.push(message); print("FAIL: " + message); };
// The wire spelling of a value, as finrig's .fr writes it: @N for the Nth object made,
// %N for a unique symbol.
const names = new WeakMap();
let symbolsAreWeak = true;
try { new WeakMap().set(Symbol(), 0); } catch { symbolsAreWeak = false; }
const symbolNames = new Map();  // where symbols cannot be WeakMap keys
let made = 0;
const named = (x) => {
  (typeof x === "symbol" && !symbolsAreWeak ? symbolNames : names).set(x, (typeof x === "symbol" ? "%" : "@") + made++);
  return x;
};
const spell = (x) => {
  switch (typeof x) {
    case "string": return JSON.stringify(x);
    case "bigint": return x + "n";
    case "number": return Object.is(x, -0) ? "-0" : String(x);
    case "symbol": {
      if (Symbol.keyFor(x) !== undefined) return "Symbol.for(" + JSON.stringify(Symbol.keyFor(x)) + ")";
      const known = Object.getOwnPropertyNames(Symbol).find((n) => Symbol[n] === x);
      return known ? "Symbol." + known : (symbolsAreWeak ? names : symbolNames).get(x) ?? "a symbol";
    }
    case "object": case "function": return x === null ? "null" : names.get(x) ?? "an object";
    default: return String(x);
  }
};
const callback = (registry, held) => registry + "(" + held + ")";

// Ops run in closures of their own, so that no value waits in this script's frames.
let synchronous = true;  // in the program's own ops, where no cleanup callback may run
const attempt = (f) => {
  try { return spell(f()); } catch (e) { if (e instanceof TypeError) return "TypeError"; throw e; }
};
const expect = (what, f, expected, rule) => {
  const got = attempt(f);
  if (got === expected) print(what + ": expected " + expected + ", got " + got);
  else fail(what + ": expected " + expected + ", got " + got + " (as " + rule + " gives)");
};
const link = (from, to) => {
  if (Object(from) !== from) throw new TypeError("link from a primitive");
  if (!from.links) from.links = new Set();
  from.links.add(to);
};
const unlink = (from, to) => {
  if (Object(from) !== from) throw new TypeError("unlink from a primitive");
  if (from.links) from.links.delete(to);
};
// The `throw` op's exception, which ends a cleanup job and reaches the host: a host that
// prints it prints this.
class Thrown extends Error { constructor() { super("the program's own throw, as expected"); } }
const calls = [];  // the callbacks since the last turn, spelled
const registry = (body) => {
  const r = named(new FinalizationRegistry((held) => {
    if (synchronous) fail("a cleanup callback ran during the program's synchronous ops");
    calls.push(callback(spell(r), spell(held)));
    try { body(held); } catch (e) { if (!(e instanceof TypeError)) throw e; }
  }));
  return r;
};
const collect = () => collector();
// Registries the model collected: an engine may drop their callbacks.
const dead = [];
const turn = async (what, expected) => {
  synchronous = false;
  for (let i = 0; i < 3; i++) await task();
  synchronous = true;
  if (expected === undefined) return void calls.splice(0);
  const live = (list) => list.filter((c) => !dead.some((r) => c.startsWith(r + "("))).sort().join(", ");
  const got = live(calls.splice(0));
  const want = live(expected);
  if (got === want) print(what + ": expected callbacks [" + want + "], got [" + got + "]");
  else fail(what + ": expected callbacks [" + want + "], got [" + got + "] (as a full collection gives)");
};

const h = [];  // the program's handles: h[1] is .fr's h1
async function program() {
  if (collector === null) throw new Error("this host gives no collector (node: --expose-gc)");
  if (task === null) throw new Error("this host gives no timers");
  h[0] = registry(() => {});                            // h0 = registry
  h[1] = named({});                                     // h1 = object
  expect("register h0 h1 undefined", () => h[0].register(h[1], undefined), "undefined", "every engine");
  h[1] = undefined;                                     // drop h1
  collect();                                            // gc
  h[0] = undefined;                                     // drop h0
  collect();                                            // gc
  await turn();                                         // turn
  await turn();                                         // turn
  await turn();                                         // turn
  h.length = 0;
  synchronous = false;
}

// Whether cleanup still runs at all: a fresh registry's, within 8 tasks of a collection.
// The target is made in a function of its own, so that no frame holds it.
async function cleanupStillRuns() {
  let fired = false;
  const registry = new FinalizationRegistry(() => { fired = true; });
  (function () { registry.register({}, 0); })();
  collect();
  for (let i = 0; i < 8 && !fired; i++) await task();
  const what = "after the program, a fresh registry's callback";
  if (fired && registry !== undefined) print(what + ": expected 1, got 1");
  else fail(what + ": expected 1, got none within 8 tasks of a full collection");
}

if (typeof process === "object" && typeof process.on === "function") {
  process.on("uncaughtException", (e) => {
    if (!(e instanceof Thrown)) fail("an exception no one caught: " + e);
  });
  process.on("exit", () => {
    if (!finished) print("FAIL: the engine ended the program before its end");
  });
} else if (globalThis.__finrig) {
  __finrig.uncaught = (e) => { if (!(e instanceof Thrown)) fail("an exception no one caught: " + e); };
}
program().then(cleanupStillRuns).then(
  () => {
    finished = true;
    print(failures.length === 0 ? "PASS" : "FAIL: " + failures.length + " check(s) failed");
  },
  (e) => {
    finished = true;
    fail("the program could not run: " + e);
    print("FAIL");
  });
