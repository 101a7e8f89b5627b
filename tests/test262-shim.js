// The least of a test262 host, for node --expose-gc --require: $262.gc, and
// Test262Error and $DONE as test262's harness (sta.js, doneprintHandle.js) define them.
globalThis.$262 = { gc: globalThis.gc };
globalThis.Test262Error = class Test262Error extends Error {};
globalThis.$DONE = (error) => {
  if (error) {
    console.log("Test262:AsyncTestFailure:" + error);
    process.exitCode = 1;
  } else {
    console.log("Test262:AsyncTestComplete");
  }
};
