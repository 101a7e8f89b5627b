// Copyright (c) 2012 Ecma International.  All rights reserved.
// This code is governed by the BSD license found in the LICENSE file.
/*---
description: |
    A minimal equivalent of test262's harness/sta.js (which is not on the npm registry),
    for tests/test262-run.js: Test262Error and $DONOTEVALUATE.
defines: [Test262Error, $DONOTEVALUATE]
---*/

function Test262Error(message) {
  this.message = message || "";
}

Test262Error.prototype.toString = function () {
  return "Test262Error: " + this.message;
};

Test262Error.thrower = function (message) {
  throw new Test262Error(message);
};

function $DONOTEVALUATE() {
  throw "Test262: This statement should not be evaluated.";
}
