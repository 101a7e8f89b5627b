// Engine fault for engine_diff_test.sh (node --require): unregister removes cells but
// always answers false.
const { unregister } = FinalizationRegistry.prototype;
FinalizationRegistry.prototype.unregister = function (token) {
  unregister.call(this, token);
  return false;
};
