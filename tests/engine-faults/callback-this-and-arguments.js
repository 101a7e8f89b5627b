// Engine fault for engine_diff_test.sh (node --require): cleanup callbacks are called
// with their registry as this and a second argument.
const Original = FinalizationRegistry;
globalThis.FinalizationRegistry = class extends Original {
  constructor(callback) {
    let self = null;
    super((held) => callback.call(self, held, "extra"));
    self = this;
  }
};
