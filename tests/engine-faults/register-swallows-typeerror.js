// Engine fault for engine_diff_test.sh (node --require): register throws no TypeError
// (for a bad target, or target === heldValue).
const { register } = FinalizationRegistry.prototype;
FinalizationRegistry.prototype.register = function (...args) {
  try {
    return register.apply(this, args);
  } catch (e) {
    if (e instanceof TypeError && this instanceof FinalizationRegistry) return undefined;
    throw e;
  }
};
