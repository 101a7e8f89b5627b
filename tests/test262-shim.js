// The host side of a test262 run under node (node --expose-gc --require), as eshost's
// node host gives it: print, and $262.gc. FINRIG_TEST262_HOST makes it a broken host,
// to show that a test fails loudly when the host lacks what it needs:
//   gc-throws  $262.gc throws, as INTERPRETING.md asks of a host without a collector
//   no-timers  no setTimeout, setInterval or setImmediate
// Test262Error and $DONE come from the harness files (tests/test262-run.js).
globalThis.print = (line) => console.log(line);
const collect = globalThis.gc;
globalThis.$262 = { global: globalThis, gc: () => collect() };
switch (process.env.FINRIG_TEST262_HOST ?? "good") {
  case "good": break;
  case "gc-throws":
    globalThis.$262.gc = () => { throw new Error("this host cannot collect garbage"); };
    break;
  case "no-timers":
    for (const name of ["setTimeout", "setInterval", "setImmediate",
                        "clearTimeout", "clearInterval", "clearImmediate"]) {
      delete globalThis[name];
    }
    break;
  default: throw new Error("FINRIG_TEST262_HOST: no host " + process.env.FINRIG_TEST262_HOST);
}
