// Copyright (C) 2017 Ecma International.  All rights reserved.
// This code is governed by the BSD license found in the LICENSE file.
/*---
description: |
    A minimal equivalent of test262's harness/doneprintHandle.js, for
    tests/test262-run.js: $DONE prints the line test262 runners read.
defines: [$DONE]
---*/

function __consolePrintHandle__(msg) {
  print(msg);
}

function $DONE(error) {
  if (error) {
    if (typeof error === "object" && error !== null && "name" in error) {
      __consolePrintHandle__("Test262:AsyncTestFailure:" + error.name + ": " + error.message);
    } else {
      __consolePrintHandle__("Test262:AsyncTestFailure:Test262Error: " + String(error));
    }
  } else {
    __consolePrintHandle__("Test262:AsyncTestComplete");
  }
}
