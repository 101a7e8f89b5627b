// QuickJS 2025-09-13 and quickjs-ng 0.12.1: unregister misses the cell of a dead target,
// which is then called back. Prints, on a correct engine:
//   unregister answered true
//   a task later: done
// QuickJS prints "unregister answered false", then "callback a  <- WRONG".
//
// ECMA-262, FinalizationRegistry.prototype.unregister (sec-finalization-registry.prototype.unregister),
// steps 4-6: every cell of this registry whose [[UnregisterToken]] is the token is removed,
// whatever its [[WeakRefTarget]], and the answer is true. No cleanup job can run before
// the synchronous script ends, so the cell is still in [[Cells]]. A removed cell is never
// called back: CleanupFinalizationRegistry step 3 chooses cells from [[Cells]].
//
// Runs on any engine with FinalizationRegistry and setTimeout. The target dies by
// reference counting in quickjs-ng; Bellard's QuickJS shows it after a cycle collection,
// so call a collector if the host has one (node --expose-gc: gc; qjs: std.gc).
const print = typeof console !== "undefined" ? (s) => console.log(s)
  : typeof globalThis.print === "function" ? globalThis.print
  : (s) => require("fs").writeSync(1, s + "\n");  // quickjs-emscripten hosts
let removed;
const registry = new FinalizationRegistry((held) =>
  print("callback " + held + "  <- WRONG: " + (removed ? "its cell was unregistered"
                                                        : "unregister had not found its cell")));
const token = {};
(function () { registry.register({}, "a", token); })();  // the target is garbage from here on
if (typeof gc === "function") gc();
else if (typeof std !== "undefined" && typeof std.gc === "function") std.gc();
removed = registry.unregister(token);
print("unregister answered " + removed + (removed ? "" : "  <- WRONG: the cell is in [[Cells]]"));
setTimeout(() => print("a task later: done"), 0);
