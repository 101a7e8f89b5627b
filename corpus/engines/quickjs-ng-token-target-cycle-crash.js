// quickjs-ng 0.12.1 corrupts its heap when the cycle collector frees a registry together
// with a target that is its own cell's unregister token (here ten such registries, which
// makes the corruption show at once). A correct engine prints
//   collected
//   PASS
// quickjs-ng (quickjs-emscripten 0.32.0's wasm build, in finrig's QuickJS host) prints
// "collected" and dies: "RuntimeError: memory access out of bounds", 3 runs of 3. (In
// finrig's batches the same heap shows as "Aborted(Assertion failed: p->ref_count == 0,
// ... free_zero_refcount)", "sh->header.ref_count == 0 ... js_free_shape0" or a later
// TypeError "not a function" from a cleanup job.) QuickJS 2025-09-13, node 18.20.8,
// 20.20.2 and 26.12.1, Deno 2.9.6 and Bun 1.4.5 print PASS.
//
// Why (read from quickjs-ng 0.12.1's quickjs.c; the variants below were run): it holds
// the token strongly (js_finrec_mark marks fre->token), so the target outlives the
// program's last reference to it and dies only in the cycle collection that frees the
// registry and its callback. reset_weak_ref, freeing the target's weak references, then
// queues a cleanup job with the registry's callback, which the same collection frees:
// the job calls freed memory. With no token, or a token of its own, the target dies by
// reference counting while the callback lives, and nothing breaks; likewise with a
// callback outside the cycle. ECMA-262 holds the token weakly (the cell's
// [[UnregisterToken]], sec-finalization-registry.prototype.register step 6, which
// Execution, sec-weakref-execution, empties when it dies); whether a cleanup job of a
// dead registry runs is the host's choice, but nothing lets the program crash.
// This is the shape of quickjs-ng issue 1318 (its tests/bug1318.js, "callback is part
// of the cycle"), fixed in 0.13.0 by commit 78494db, which skips the job when the
// callback is in the cycle being collected; npm carries no quickjs-ng build newer than
// 0.12.1 to confirm it here.
//
// Runs on node --expose-gc, bun, qjs --std, and finrig's QuickJS host
// (engines/quickjs-host.js). Without a collector it prints FAIL, never PASS.
"use strict";
const print = globalThis.__finrig ? (s) => __finrig.print(s)
  : typeof console === "object" && typeof console.log === "function" ? (s) => console.log(s)
  : (s) => globalThis.print(s);
const later = globalThis.__finrig ? (f) => __finrig.tasks.push(f)
  : typeof setTimeout === "function" ? (f) => setTimeout(f, 0)
  : typeof os === "object" ? (f) => os.setTimeout(f, 0) : null;
// A full collection where the host has one; finrig's QuickJS host exports none, so
// make cyclic garbage there until a cycle made first is gone.
const collect = typeof Bun === "object" ? require("bun:jsc").fullGC
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
  } : () => {};

// Made in functions of their own, so that no frame of this script holds them.
const garbage = () => {
  const registry = new FinalizationRegistry(() => registry);  // a cycle with its callback
  const target = {};
  registry.register(target, "self-token", target);
};
const sentinel = (() => {
  const cycle = {};
  cycle.self = cycle;
  return new WeakRef(cycle);
})();
for (let i = 0; i < 10; i++) garbage();
collect();
print("collected");
// A WeakRef keeps its target alive until the job that made it ends (AddToKeptObjects):
// collect again in a later task to see the sentinel go, and judge in one after that,
// when the cleanup job for the dead cell has run.
if (later === null) {
  print("FAIL: no way to wait for a task here: nothing was checked");
} else {
  later(() => {
    collect();
    later(() => print(sentinel.deref() === undefined ? "PASS"
      : "FAIL: no cycle collection here (no collector?): nothing was checked"));
  });
}
