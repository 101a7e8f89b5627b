// QuickJS 2025-09-13: a WeakMap entry whose value is its own key keeps the key alive as
// long as the map lives. Prints, on an engine that collects it (after two collections
// and three tasks):
//   callback key
//   PASS
// QuickJS prints "FAIL: the key was never collected", 3 runs of 3.
//
// ECMA-262, Liveness (sec-liveness), its note: "if a key in a WeakMap is not live, then its
// corresponding value is not necessarily live either" (WeakMaps are ephemerons: a value is
// held only while both the map and the key are). After the key's last reference goes, the
// key is reachable only through its own entry's value, so it is not live. The spec does
// not promise a collection, so this is a leak, not a breach of the letter. quickjs-ng,
// V8, SpiderMonkey and JSC collect it. In quickjs.c, js_map_mark marks the value of every
// entry of a live WeakMap whether or not its key is marked.
//
// Runs on node --expose-gc, deno run --v8-flags=--expose-gc, bun (bun:jsc's fullGC), and
// quickjs-emscripten hosts that give __finrig.print and __finrig.tasks (engines/quickjs-host.js),
// where it collects by allocating cyclic garbage until a sentinel cycle is gone.
const print = globalThis.__finrig ? (s) => __finrig.print(s) : (s) => console.log(s);
const later = globalThis.__finrig ? (f) => __finrig.tasks.push(f) : (f) => setTimeout(f, 0);
const collect = () => {
  if (typeof Bun !== "undefined") return require("bun:jsc").fullGC();
  if (typeof gc === "function") return gc();
  const sentinels = [];
  for (let i = 0; i < 64; i++) { const o = {}; o.o = o; sentinels.push(new WeakRef(o)); }
  for (const sentinel of sentinels) {
    for (let i = 0; i < 2048; i++) { const a = {}; a.b = { a }; }
    if (sentinel.deref() === undefined) return;
  }
  throw new Error("no cycle collection after 131072 cyclic allocations");
};
let called = false;
const registry = new FinalizationRegistry((held) => { called = true; print("callback " + held); });
const map = new WeakMap();
(function () { const key = {}; map.set(key, key); registry.register(key, "key"); })();
collect();
later(() => {
  collect();
  later(() => later(() => print(called ? "PASS" : "FAIL: the key was never collected")));
});
