// SpiderMonkey 102: new FinalizationRegistry reads NewTarget.prototype before it checks
// that its callback is callable. With a NewTarget whose `prototype` getter throws,
//   Reflect.construct(FinalizationRegistry, [1], newTarget)
// throws the getter's error; ECMA-262 throws a TypeError first. Prints what it got on
// each line; an engine that follows ECMA-262 prints
//   callback 1: TypeError
//   callback {}: TypeError
//   callback () => {}: the getter's error
// node, Deno, Bun, QuickJS and quickjs-ng print that; SpiderMonkey 102.15.1 (js102)
// prints "the getter's error" on all three lines, 3 runs of 3.
//
// ECMA-262 FinalizationRegistry ( cleanupCallback ) (sec-finalization-registry-cleanup-callback):
// step 2 "If IsCallable(cleanupCallback) is false, throw a TypeError exception", then
// step 3 "Let finalizationRegistry be ? OrdinaryCreateFromConstructor(NewTarget, ...)",
// whose GetPrototypeFromConstructor does ? Get(constructor, "prototype").
const print = globalThis.__finrig ? (s) => __finrig.print(s)
            : typeof console === "object" ? (s) => console.log(s) : globalThis.print;
class GetterError extends Error {}
// A bound function is a constructor without a `prototype` of its own: it can have a getter.
const newTarget = function () {}.bind();
Object.defineProperty(newTarget, "prototype", { get() { throw new GetterError(); } });
for (const [name, callback] of [["1", 1], ["{}", {}], ["() => {}", () => {}]]) {
  try {
    Reflect.construct(FinalizationRegistry, [callback], newTarget);
    print("callback " + name + ": no exception");
  } catch (e) {
    print("callback " + name + ": " + (e instanceof GetterError ? "the getter's error" : e.constructor.name));
  }
}
