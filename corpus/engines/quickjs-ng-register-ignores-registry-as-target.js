// quickjs-ng 0.12.1: FinalizationRegistry.prototype.register ignores a call whose target
// is the registry itself. It returns undefined without checking the heldValue and
// without adding a cell, so
//   r.register(r, r)              returns undefined      (expected: TypeError)
//   r.register(r, "x", token);
//   r.unregister(token)           returns false          (expected: true)
// Prints what it got on each line; an engine that follows ECMA-262 prints
//   register(r, r): TypeError
//   unregister after register(r, "x", token): true
// QuickJS 2025-09-13, node, Deno, Bun and SpiderMonkey print that; quickjs-ng prints
// "undefined" and "false", 3 runs of 3.
//
// ECMA-262 FinalizationRegistry.prototype.register (sec-finalization-registry.prototype.register)
// step 4: "If SameValue(target, heldValue) is true, throw a TypeError exception"; steps
// 6-7 append a cell for any target that CanBeHeldWeakly, the registry included.
// FinalizationRegistry.prototype.unregister (sec-finalization-registry.prototype.unregister)
// returns true when it removed a cell with that token. quickjs-ng's js_finrec_register
// returns early, before both, when SameValue(target, this value).
const print = globalThis.__finrig ? (s) => __finrig.print(s) : (s) => console.log(s);
const r = new FinalizationRegistry(() => {});
try {
  print("register(r, r): returned " + r.register(r, r));
} catch (e) {
  print("register(r, r): " + e.constructor.name);
}
const token = {};
r.register(r, "x", token);
print("unregister after register(r, \"x\", token): " + r.unregister(token));
