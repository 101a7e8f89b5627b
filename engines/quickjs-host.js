// The host finrig runs QuickJS in: a wasm build of quickjs-emscripten (what
// tools/engines.sh installs as quickjs@V and quickjs-ng@V) loaded into node, running one
// script of the quickjs flavor (engines/js.cpp), which finds the host's natives on
// `__finrig`. finrig passes this file to node with -e:
//   node -e SOURCE VARIANT_FOLDER SCRIPT
// where VARIANT_FOLDER is the installed variant package (its node_modules also holds
// quickjs-emscripten-core).
//
// A host of ECMA-262 decides when jobs run (HostEnqueuePromiseJob,
// HostEnqueueFinalizationRegistryCleanupJob); QuickJS queues both kinds in one job
// queue, which this host runs dry after the script and after each task, the way an
// event loop runs microtasks after each macrotask. A task is a function the script
// gave __finrig.task (its setTimeout); tasks run in order, one at a time.
"use strict";
const fs = require("fs");
const [variantFolder, script] = process.argv.slice(-2);
const load = require("module").createRequire(variantFolder + "/");
const { newQuickJSWASMModuleFromVariant } = load("quickjs-emscripten-core");

newQuickJSWASMModuleFromVariant(load(variantFolder)).then((quickjs) => {
  const runtime = quickjs.newRuntime();
  const vm = runtime.newContext();
  let exited = false;
  const natives = vm.newObject();
  const native = (name, f) => {
    const handle = vm.newFunction(name, f);
    vm.setProp(natives, name, handle);
    handle.dispose();
  };
  native("print", (line) => { fs.writeSync(1, vm.getString(line) + "\n"); });
  native("exit", () => { exited = true; });
  vm.newArray().consume((tasks) => vm.setProp(natives, "tasks", tasks));
  vm.setProp(vm.global, "__finrig", natives);
  natives.dispose();

  // An exception no one caught (a cleanup callback's, most often) goes to the script's
  // __finrig.uncaught, as node's "uncaughtException" would.
  const uncaught = (error) => {
    const handler = vm.getProp(vm.global, "__finrig").consume((n) => vm.getProp(n, "uncaught"));
    if (vm.typeof(handler) === "function") {
      const result = vm.callFunction(handler, vm.undefined, error);
      if (result.error) {
        fs.writeSync(2, "uncaught handler threw: " + JSON.stringify(vm.dump(result.error)) + "\n");
        result.error.dispose();
      } else {
        result.value.dispose();
      }
    } else {
      fs.writeSync(2, "uncaught: " + JSON.stringify(vm.dump(error)) + "\n");
    }
    handler.dispose();
    error.dispose();
  };
  const evaluate = (code, name) => {
    const result = vm.evalCode(code, name);
    if (result.error) uncaught(result.error);
    else result.value.dispose();
  };
  const runJobs = () => {
    for (;;) {
      const result = runtime.executePendingJobs();
      if (result.error) {
        uncaught(result.error);
        continue;
      }
      if (result.value === 0) return;
    }
  };

  evaluate(fs.readFileSync(script, "utf8"), script);
  for (;;) {
    runJobs();
    if (exited) break;
    const pending = vm.getProp(vm.global, "__finrig")
      .consume((n) => vm.getProp(n, "tasks"))
      .consume((tasks) => vm.getProp(tasks, "length"))
      .consume((length) => vm.getNumber(length));
    if (!(pending > 0)) break;  // NaN too: a script that dropped the task list
    evaluate("__finrig.tasks.shift()()", "task");
  }
  // Freeing the runtime with objects still alive asserts in QuickJS; the process ends.
  process.exit(0);
});
