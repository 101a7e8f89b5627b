// Engine fault for engine_diff_test.sh (node --require): register schedules the callback
// at once, whether or not the target is ever collected.
const { register } = FinalizationRegistry.prototype;
const callbacks = new WeakMap();
const Original = FinalizationRegistry;
globalThis.FinalizationRegistry = class extends Original {
  constructor(callback) {
    super(callback);
    callbacks.set(this, callback);
  }
};
FinalizationRegistry.prototype.register = function (target, held, token) {
  const result = register.call(this, target, held, token);
  const callback = callbacks.get(this);
  setTimeout(() => callback(held), 0);
  return result;
};
