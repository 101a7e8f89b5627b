// JavaScriptCore (Bun 1.1.45, 1.4.5; WebKitGTK 2.50.6's jsc shell): a
// FinalizationRegistry cleanup callback is called with itself as `this`. Prints, on a
// correct engine:
//   this: undefined, arguments: 1
//   PASS
// Bun and jsc print "this: the callback itself, arguments: 1", then FAIL.
//
// ECMA-262, CleanupFinalizationRegistry (sec-cleanup-finalization-registry) step 3.c:
// Perform ? HostCallJobCallback(callback, undefined, « cell.[[HeldValue]] »), and
// HostCallJobCallback (sec-hostcalljobcallback) is Call(callback, undefined, that list):
// in strict code the callback sees `this` undefined. JavaScriptCore's
// JSFinalizationRegistry::runFinalizationCleanup calls `call(globalObject, callback(),
// args, errorMessage)`, whose overload (runtime/CallData.cpp) passes the function
// object as the this value.
//
// Runs on node --expose-gc, bun, jsc, qjs --std and SpiderMonkey's js; without a collector
// or tasks the callback never comes and it prints FAIL, never PASS.
"use strict";
const print = typeof console === "object" && typeof console.log === "function"
  ? (s) => console.log(s) : (s) => globalThis.print(s);
const later = typeof setTimeout === "function" ? (f) => setTimeout(f, 0)
  : typeof os === "object" ? (f) => os.setTimeout(f, 0) : null;
const collect = typeof Bun === "object" ? require("bun:jsc").fullGC
  : typeof gc === "function" ? gc
  : typeof std === "object" && typeof std.gc === "function" ? std.gc : () => {};

let seen = null;
const registry = new FinalizationRegistry(function callback(held) {
  seen = { self: this === undefined ? "undefined"
               : this === callback ? "the callback itself" : "of type " + typeof this,
           count: arguments.length };
});
(function () { registry.register({}, "x"); })();
collect();

let tasks = 0;
const check = () => {
  if (seen === null && ++tasks < 10) {
    later(check);
    return;
  }
  if (seen === null) {
    print("FAIL: no callback within 10 tasks (no collector or no cleanup here: nothing was checked)");
    return;
  }
  print("this: " + seen.self + ", arguments: " + seen.count);
  print(seen.self === "undefined" && seen.count === 1 ? "PASS"
        : "FAIL: HostCallJobCallback calls the cleanup callback with this undefined and one argument");
};
if (later === null) print("FAIL: no way to wait for a task here: nothing was checked");
else later(check);
