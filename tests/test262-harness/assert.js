// Copyright (C) 2017 Ecma International.  All rights reserved.
// This code is governed by the BSD license found in the LICENSE file.
/*---
description: |
    A minimal equivalent of test262's harness/assert.js, for tests/test262-run.js:
    assert, assert.sameValue, assert.notSameValue and assert.throws.
defines: [assert]
---*/

function assert(mustBeTrue, message) {
  if (mustBeTrue === true) {
    return;
  }
  if (message === undefined) {
    message = "Expected true but got " + String(mustBeTrue);
  }
  throw new Test262Error(message);
}

assert._isSameValue = function (a, b) {
  if (a === b) {
    return a !== 0 || 1 / a === 1 / b;
  }
  return a !== a && b !== b;
};

assert.sameValue = function (actual, expected, message) {
  if (assert._isSameValue(actual, expected)) {
    return;
  }
  throw new Test262Error((message === undefined ? "" : message + " ") +
    "Expected SameValue(" + String(actual) + ", " + String(expected) + ") to be true");
};

assert.notSameValue = function (actual, unexpected, message) {
  if (!assert._isSameValue(actual, unexpected)) {
    return;
  }
  throw new Test262Error((message === undefined ? "" : message + " ") +
    "Expected SameValue(" + String(actual) + ", " + String(unexpected) + ") to be false");
};

assert.throws = function (expectedErrorConstructor, func, message) {
  var prefix = message === undefined ? "" : message + " ";
  try {
    func();
  } catch (thrown) {
    if (typeof thrown !== "object" || thrown === null ||
        thrown.constructor !== expectedErrorConstructor) {
      throw new Test262Error(prefix + "Expected a " + expectedErrorConstructor.name +
        " but got a different error");
    }
    return;
  }
  throw new Test262Error(prefix + "Expected a " + expectedErrorConstructor.name +
    " to be thrown but no exception was thrown at all");
};
