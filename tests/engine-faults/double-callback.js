// Engine fault for engine_diff_test.sh (node --require): every cleanup callback runs twice.
const Original = FinalizationRegistry;
globalThis.FinalizationRegistry = class extends Original {
  constructor(callback) {
    super((held) => { callback(held); callback(held); });
  }
};
