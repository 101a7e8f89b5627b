// quickjs-ng 0.12.1: a FinalizationRegistry cell whose unregister token is its own target
// is never called back. Prints, on an engine that cleans up (after two collections and
// three tasks):
//   callback no-token
//   callback self-token
//   three tasks later
// (the two callbacks in any order). quickjs-ng prints no "callback self-token", 3 runs of 3.
//
// ECMA-262 FinalizationRegistry.prototype.register (sec-finalization-registry.prototype.register)
// keeps the token weakly ([[UnregisterToken]]); when it dies, with the target here, the
// cell stays in [[Cells]] with an empty [[WeakRefTarget]] for CleanupFinalizationRegistry
// to deliver (sec-weakref-execution: the host empties it and may schedule a cleanup job).
// The spec does not promise a cleanup job ever runs, so this is a loss of liveness, not
// a breach of the letter; the cell without a token, registered beside it, is delivered.
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
const registry = new FinalizationRegistry((held) => print("callback " + held));
(function () { const target = {}; registry.register(target, "self-token", target); })();
(function () { const target = {}; registry.register(target, "no-token"); })();
collect();
later(() => { collect(); later(() => later(() => print("three tasks later"))); });
