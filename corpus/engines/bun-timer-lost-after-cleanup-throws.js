// Bun 1.1.45: after a FinalizationRegistry cleanup callback throws, a pending timer never
// fires. Prints, on a correct host:
//   uncaughtException: thrown by the cleanup callback
//   timer: done
// Bun 1.1.45 prints the first line only and exits (status 0), with the timer pending.
//
// ECMA-262 HostEnqueueFinalizationRegistryCleanupJob (sec-host-cleanup-finalization-registry):
// if CleanupFinalizationRegistry completes abruptly, the host performs its steps for
// reporting the error (here: process.on("uncaughtException"), as in node); nothing lets
// it drop other tasks. A timer callback that throws does not lose the next timer in
// Bun 1.1.45; a cleanup callback does, 3 runs of 3. Bun 1.4.5, node and Deno print both lines.
//
// Runs on bun, and on node with --expose-gc.
process.on("uncaughtException", (e) => console.log("uncaughtException: " + e.message));
const registry = new FinalizationRegistry(() => { throw new Error("thrown by the cleanup callback"); });
(function () { registry.register({}, "a"); })();  // the target is garbage from here on
(typeof Bun !== "undefined" ? require("bun:jsc").fullGC : globalThis.gc)();
setTimeout(() => console.log("timer: done"), 0);
