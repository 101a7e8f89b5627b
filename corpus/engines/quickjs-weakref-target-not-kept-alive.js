// QuickJS 2025-09-13 and quickjs-ng 0.12.1: a new WeakRef does not keep its target alive
// to the end of the job. Prints, on a correct engine:
//   deref answered the target
// QuickJS prints "deref answered undefined  <- WRONG".
//
// ECMA-262, WeakRef ( target ) (sec-weak-ref-target), step 4: AddToKeptObjects(target).
// An object in the agent's [[KeptAlive]] list stays alive until ClearKeptObjects
// (sec-clear-kept-objects), which the host calls only when the synchronous job ends, so
// WeakRef.prototype.deref (WeakRefDeref) in the same job must return the target.
// No collector is involved: QuickJS frees the target by reference counting the moment its
// last strong reference goes.
//
// Runs on any engine with WeakRef (node, deno, bun, qjs; quickjs-emscripten hosts: print
// through __finrig.print, as engines/quickjs-host.js gives it, or any print).
const print = typeof console !== "undefined" ? (s) => console.log(s)
  : typeof globalThis.print === "function" ? globalThis.print
  : (s) => globalThis.__finrig.print(s);
let target = {};
const ref = new WeakRef(target);
target = undefined;  // the WeakRef is the only reference left, but [[KeptAlive]] holds it
print(ref.deref() === undefined ? "deref answered undefined  <- WRONG: the target is in [[KeptAlive]]"
                                : "deref answered the target");
