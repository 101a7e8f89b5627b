// quickjs-ng 0.12.1: a cleanup job per cell, where ECMA-262 enqueues one per collected
// value and registry. One target has two cells in registry A and one in B. Prints, on
// a correct engine, A's two callbacks next to each other (in either order, B's before
// or after them), then PASS:
//   callbacks: A(b), A(a), B(c)
//   PASS
// quickjs-ng prints "callbacks: A(b), B(c), A(a)", then FAIL: its reset_weak_ref
// (quickjs.c) enqueues a js_finrec_job for each registry entry of the dying target, in
// the order of the target's weak references, newest first. Seen 3 of 3 on quickjs-ng
// 0.12.1 (quickjs-emscripten 0.32.0, finrig's QuickJS host); node 20.20.2, Bun 1.4.5
// and QuickJS 2025-09-13 print PASS.
//
// ECMA-262, Execution (sec-weakref-execution) step 1.b: when the target dies, each
// registry with a cell for it gets at most one HostEnqueueFinalizationRegistryCleanupJob;
// CleanupFinalizationRegistry (sec-cleanup-finalization-registry) step 3 delivers that
// registry's emptied cells one after another until it stops, and a job runs to its end
// before the next starts. No later collection empties a cell of A again, so A's second
// callback has no job to come from unless it is the same as the first's. (No callback
// throws here, so not even V8's re-post after a throw applies.)
//
// Runs on node --expose-gc, bun, qjs --std, and finrig's QuickJS host
// (engines/quickjs-host.js); reference counting frees the target in quickjs-ng at once.
// Without a collector or tasks the callbacks never come and it prints FAIL, never PASS.
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

const calls = [];
const A = new FinalizationRegistry((held) => calls.push("A(" + held + ")"));
const B = new FinalizationRegistry((held) => calls.push("B(" + held + ")"));
(function () {
  const target = {};
  A.register(target, "a");
  B.register(target, "c");
  A.register(target, "b");
})();
collect();

let tasks = 0;
const check = () => {
  if (calls.length < 3 && ++tasks < 10) {
    later(check);
    return;
  }
  print("callbacks: " + calls.join(", "));
  if (calls.length < 3) {
    print("FAIL: " + calls.length + " of the 3 callbacks came within 10 tasks " +
          "(no collector or no cleanup here: nothing was checked)");
    return;
  }
  const first = calls.indexOf(calls.find((c) => c[0] === "A"));
  const together = calls[first + 1][0] === "A";
  print(together ? "PASS" : "FAIL: a callback of B came between A's two: A ran two " +
                            "cleanup jobs for one collected value");
};
if (later === null) print("FAIL: no way to wait for a task here: nothing was checked");
else later(check);
