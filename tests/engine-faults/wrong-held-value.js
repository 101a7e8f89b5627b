// Engine fault for engine_diff_test.sh (node --require): callbacks receive a heldValue
// no cell has.
const Original = FinalizationRegistry;
globalThis.FinalizationRegistry = class extends Original {
  constructor(callback) {
    super(() => callback("finrig: not a heldValue"));
  }
};
