// Copyright (C) 2026 the finrig authors. All rights reserved.
// This code is governed by the BSD license found in the LICENSE file.
/*---
description: |
  finrig's runtime, for the tests `finrig js --flavor test262` writes: it runs a finrig
  program on the host's FinalizationRegistry and WeakRef and reports to the `host`
  object the test defines. Written by `finrig js --test262-include` from finrig's
  engines/runtime.js; do not edit.
defines: [finrig]
---*/
// finrig's runtime for emitted programs (engines/js.cpp pastes it into every script;
// test262 tests include it as harness/finrigRuntime.js). `host` supplies print, gc and
// macrotask; everything else is plain ECMAScript. With host.verify (the test262
// flavor), it also checks what every engine must do, since there is no finrig checker
// to read the trace (Verifier, below), and turns every exception into a failure.
// It must not keep anything alive that the program does not: ids live in WeakMaps,
// values are printed at once and never stored, and no local of the program's async
// function holds a value across an await.
const finrig = (host) => {
  "use strict";
  const { register, unregister } = FinalizationRegistry.prototype;
  const { deref } = WeakRef.prototype;
  const weakMapMethods = WeakMap.prototype, weakSetMethods = WeakSet.prototype;
  const EDGES = Symbol("finrig.edges");
  const WELL_KNOWN = ["asyncIterator", "hasInstance", "isConcatSpreadable", "iterator",
                      "match", "matchAll", "replace", "search", "species", "split",
                      "toPrimitive", "toStringTag", "unscopables"];
  let symbolsAreWeak = true;
  try { new WeakMap().set(Symbol(), 0); } catch { symbolsAreWeak = false; }
  // The `throw` op's exception: it must end the cleanup job, so nothing catches it.
  class Thrown { toString() { return "finrig throw"; } }
  // The NewTarget of `registry newtarget throwing`: reading its prototype, as
  // FinalizationRegistry's step 3 does (GetPrototypeFromConstructor) after step 2's
  // IsCallable, throws a NewTargetError. A bound function is a constructor with no
  // `prototype` of its own, so it can have a getter.
  class NewTargetError extends Error {}
  const throwingNewTarget = function () {}.bind();
  Object.defineProperty(throwingNewTarget, "prototype", {
    get() { throw new NewTargetError("NewTarget.prototype"); },
  });
  // FinalizationRegistry called as a `registry` op says: with new, without new
  // ("undefined") or with the throwing NewTarget ("throwing").
  const construct = (cleanupCallback, newTarget) => {
    if (newTarget === "undefined") return FinalizationRegistry(cleanupCallback);
    if (newTarget === "throwing") {
      return Reflect.construct(FinalizationRegistry, [cleanupCallback], throwingNewTarget);
    }
    return new FinalizationRegistry(cleanupCallback);
  };
  const newWeakRef = (target) => new WeakRef(target);
  // What `this` is in a function of this script called with undefined: undefined in
  // strict code, the global object in sloppy code (test262 runs both).
  const undefinedThis = (function () { return this; })();
  // Whether each op must throw a TypeError (Run.checked): (verifier, thisArg, ...args).
  const isUndefinedNewTarget = (v, _, cleanupCallback, newTarget) => newTarget === "undefined";
  const always = () => true;
  const weakRefThrows = (v, _, target) => !v.weak(target);
  const registerThrows = (v, r, target, held, token) => !v.registries.has(r) || !v.weak(target) ||
      Object.is(target, held) || (token !== undefined && !v.weak(token));
  const unregisterThrows = (v, r, token) => !v.registries.has(r) || !v.weak(token);
  const derefThrows = (v, w) => !v.weakRefs.has(w);
  const mapSetThrows = (v, m, key) => !v.weakMaps.has(m) || !v.weak(key);
  const notAMap = (v, m) => !v.weakMaps.has(m);
  const weakSetAddThrows = (v, s, value) => !v.weakSets.has(s) || !v.weak(value);
  const notWeakMapOrSet = (v, c) => !v.weakMaps.has(c) && !v.weakSets.has(c);

  const quote = (s) => {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += "\\\\";
      else if (c === 0x0a) out += "\\n";
      else if (c === 0x09) out += "\\t";
      else if (c === 0x0d) out += "\\r";
      else if (c >= 0x20 && c < 0x7f) out += s[i];
      else if (c < 0x100) out += "\\x" + c.toString(16).padStart(2, "0");
      else out += "\\u{" + c.toString(16) + "}";  // not from a finrig literal: a wire error
    }
    return out + '"';
  };

  // What must hold whatever the engine chose to collect and when to clean up, checked
  // from the values the ops actually saw: TypeErrors exactly per the profile's
  // CanBeHeldWeakly, register answering undefined and unregister a boolean, no callback
  // during an op, and no more callbacks with a heldValue than registrations with it
  // (unregister's answer is left out: which of two cells with one heldValue a callback
  // delivered cannot be seen). The op results no choice can change are asserted by
  // the script itself (Run.op's `expected`).
  class Verifier {
    constructor(profile) {
      this.es2023 = profile === "es2023";
      this.registries = new WeakSet();
      this.weakRefs = new WeakSet();
      this.weakMaps = new WeakSet();
      this.weakSets = new WeakSet();
      this.counts = new WeakMap();  // registry -> [{held, registered, delivered}]
      this.failures = [];
    }
    weak(v) {
      if (v !== null && (typeof v === "object" || typeof v === "function")) return true;
      return this.es2023 && typeof v === "symbol" && Symbol.keyFor(v) === undefined;
    }
    // Calls f on thisArg with args, which must throw a TypeError exactly when
    // `typeError`. Other exceptions are Run.op's to report.
    expect(what, typeError, f, thisArg, args) {
      let threw = null;
      try {
        return Reflect.apply(f, thisArg, args);
      } catch (e) {
        threw = e;
        throw e;
      } finally {
        if (typeError && !(threw instanceof TypeError) && !(threw instanceof Thrown)) {
          this.failures.push(what + " did not throw a TypeError");
        } else if (!typeError && threw instanceof TypeError) {
          this.failures.push(what + " threw " + threw);
        }
      }
    }
    count(r, held) {
      const list = this.counts.get(r) ?? [];
      this.counts.set(r, list);
      let entry = list.find((e) => Object.is(e.held, held));
      if (!entry) list.push(entry = { held, registered: 0, delivered: 0 });
      return entry;
    }
  }

  // One program's execution: its heap ids, callback count and output.
  class Run {
    // `budget`: the program's callbacks at most (its `# budget:`), as the model's.
    constructor(profile, budget) {
      this.budget = budget;
      this.verifier = host.verify ? new Verifier(profile) : null;
      this.inOp = false;
      this.heldValues = [];  // of the callbacks running, innermost last
      this.ids = new WeakMap();
      this.symbolIds = new Map();  // where symbols cannot be WeakMap keys (es2021)
      this.next = 0;
      this.callbacks = 0;
      this.pendingThens = 0;  // promise jobs of `then` ops queued and not yet begun
      this.closed = false;
    }
    out(line) { if (!this.closed) host.print(line); }
    alloc(x) {
      (typeof x === "symbol" && !symbolsAreWeak ? this.symbolIds : this.ids).set(x, this.next++);
      return x;
    }
    idOf(x) {
      const id = (typeof x === "symbol" && !symbolsAreWeak ? this.symbolIds : this.ids).get(x);
      return id === undefined ? "?" : String(id);
    }
    // The running callback's heldValue, for the ops of its body: read here, not from a
    // closure over the callback's parameter, whose environment every closure made in the
    // callback shares; a registry made there kept the heldValue alive after the callback
    // returned, on V8 and SpiderMonkey alike, and --strict blamed the engine.
    held() { return this.heldValues[this.heldValues.length - 1]; }
    // The wire spelling of a value: .fr literals, @N for objects, %N for unique symbols.
    v(x) {
      switch (typeof x) {
        case "undefined": case "boolean": return String(x);
        case "number": return Object.is(x, -0) ? "-0" : String(x);
        case "string": return quote(x);
        case "bigint": return x + "n";
        case "symbol": {
          const key = Symbol.keyFor(x);
          if (key !== undefined) return "Symbol.for(" + quote(key) + ")";
          const name = WELL_KNOWN.find((n) => Symbol[n] === x);
          return name !== undefined ? "Symbol." + name : "%" + this.idOf(x);
        }
        default: return x === null ? "null" : "@" + this.idOf(x);
      }
    }
    // A failure of the program or of an assertion: the verifier's when there is one,
    // else an `error` line, which the adapters report as the engine's.
    fail(message) {
      if (this.verifier) this.verifier.failures.push(message);
      else this.out("error " + quote(message));
    }
    // `expected`, when given, is the op's result in wire spelling, which no choice of
    // the engine can change (engines/js.cpp says when that is).
    op(path, f, expected) {
      this.inOp = true;
      let result;
      try {
        result = this.v(f());
      } catch (e) {
        if (e instanceof Thrown) throw e;
        result = e instanceof TypeError ? "TypeError"
               : e instanceof NewTargetError ? "NewTargetError" : "error " + quote(String(e));
      } finally {
        this.inOp = this.heldValues.length > 0;
      }
      this.out("op " + path + " " + result);
      if (expected !== undefined && result !== expected) {
        this.fail("op " + path + " gave " + result + ", where every engine gives " + expected);
      } else if (this.verifier && result.startsWith("error ")) {
        this.fail("op " + path + " threw " + result.slice(6));
      }
    }
    // The wire spelling of a literal, for `expected`.
    spell(x) { return this.v(x); }
    // An op's built-in, called with its arguments under the verifier's eye when there
    // is one; `typeError(verifier, thisArg, ...args)` says whether it must throw one.
    // Never through a closure made for the call: SpiderMonkey 102's call IC keeps the
    // first callee it sees once the code is warm, and such a closure's environment kept
    // its target alive for good (a callback that registers and collects garbage stopped
    // its chain after 20 callbacks).
    checked(what, typeError, f, thisArg, ...args) {
      return this.verifier
        ? this.verifier.expect(what, typeError(this.verifier, thisArg, ...args), f, thisArg, args)
        : Reflect.apply(f, thisArg, args);
    }
    // Ops below are called through op(): they return the op's value or throw.
    object() { return this.alloc({}); }
    symbol(description) { return this.alloc(Symbol(description)); }
    registry(body, newTarget) { return this.newRegistry(body, newTarget, false); }
    // `registry async`: the engine calls an async function, whose body's throw rejects
    // the promise the call returns instead of ending the job.
    asyncRegistry(body, newTarget) { return this.newRegistry(body, newTarget, true); }
    newRegistry(body, newTarget, isAsync) {
      const run = this;
      const cleanupCallback = isAsync
        ? async function (held) { return run.callback(r, held, body, this, arguments.length, true); }
        : function (held) { return run.callback(r, held, body, this, arguments.length, false); };
      const r = this.checked("FinalizationRegistry(cb)", isUndefinedNewTarget, construct, undefined,
                             cleanupCallback, newTarget);
      this.verifier?.registries.add(r);
      return this.alloc(r);
    }
    // With a cleanupCallback that is not a function: a TypeError, however it is called.
    registryOf(cleanupCallback, newTarget) {
      const r = this.checked("FinalizationRegistry(" + this.v(cleanupCallback) + ")", always,
                             construct, undefined, cleanupCallback, newTarget);
      this.verifier?.registries.add(r);
      return this.alloc(r);
    }
    weakRef(target) {
      const w = this.checked("new WeakRef(target)", weakRefThrows, newWeakRef, undefined, target);
      this.verifier?.weakRefs.add(w);
      return this.alloc(w);
    }
    register(r, target, held, token) {
      const result = this.checked("register", registerThrows, register, r, target, held, token);
      if (this.verifier) {
        this.verifier.count(r, held).registered++;
        if (result !== undefined) this.fail("register returned " + this.v(result));
      }
      return result;
    }
    unregister(r, token) {
      const removed = this.checked("unregister", unregisterThrows, unregister, r, token);
      if (this.verifier && typeof removed !== "boolean") {
        this.fail("unregister returned " + this.v(removed));
      }
      return removed;
    }
    deref(w) {
      return this.checked("deref", derefThrows, deref, w);
    }
    weakMap() {
      const m = new WeakMap();
      this.verifier?.weakMaps.add(m);
      return this.alloc(m);
    }
    weakSet() {
      const s = new WeakSet();
      this.verifier?.weakSets.add(s);
      return this.alloc(s);
    }
    set(m, key, value) { return this.checked("set", mapSetThrows, weakMapMethods.set, m, key, value); }
    get(m, key) { return this.checked("get", notAMap, weakMapMethods.get, m, key); }
    add(s, value) { return this.checked("add", weakSetAddThrows, weakSetMethods.add, s, value); }
    // `has` and `delete` call the receiver's own kind of method: WeakSet's on a WeakSet,
    // else WeakMap's, whose brand check throws for anything else.
    methodsOf(c) {
      return c instanceof WeakSet ? weakSetMethods : weakMapMethods;
    }
    has(c, key) { return this.checked("has", notWeakMapOrSet, this.methodsOf(c).has, c, key); }
    delete(c, key) {
      return this.checked("delete", notWeakMapOrSet, this.methodsOf(c).delete, c, key);
    }
    edges(from) {
      if (from === null || (typeof from !== "object" && typeof from !== "function")) {
        throw new TypeError("link from a primitive");
      }
      return from[EDGES] ?? (from[EDGES] = new Set());
    }
    link(from, to) { this.edges(from).add(to); }
    unlink(from, to) { this.edges(from).delete(to); }
    // `then { body }`: a promise job, which prints its own begin and end lines when the
    // engine runs it. A `throw` op in it rejects the job's promise, which nobody handles.
    then(path, body) {
      ++this.pendingThens;
      Promise.resolve().then(() => {
        --this.pendingThens;
        this.out("then " + path);
        try {
          body();
        } catch (e) {
          if (!(e instanceof Thrown)) throw e;
          return this.out("then-threw");
        }
        this.out("then-ret");
      });
    }
    gc(path) { host.gc(); this.out("op " + path + " undefined"); }
    // The program's last turn (`last`) goes on while callbacks keep coming: an engine may
    // run one callback per task, as V8 does when it re-posts the job after each throwing
    // callback, and --strict's settling turns would end before a registry of many cells
    // is done. Any turn may legally see them, so the judgement does not change.
    async turn(path, last) {
      let seen = this.callbacks;
      await host.macrotask();
      for (let i = 0; last && this.callbacks !== seen && !this.closed && i < 1000; i++) {
        seen = this.callbacks;
        await host.macrotask();
      }
      this.out("op " + path + " undefined");
    }
    throwIf(path, fires) {
      if (!fires) return this.out("op " + path + " undefined");
      this.out("op " + path + " throw");
      throw new Thrown();
    }
    // `self` and `count`: the this value and the number of arguments the callback got.
    // An async callback returns (its promise) whether or not its body throws.
    callback(r, held, body, self, count, isAsync) {
      if (this.closed) return;
      if (++this.callbacks > this.budget) {
        // The model stops every job here; an engine cannot be made to, so the trace ends.
        this.out("budget");
        this.closed = true;
        return;
      }
      this.out("cb " + this.v(r) + " " + this.v(held));
      // CleanupFinalizationRegistry step 3.c: HostCallJobCallback(callback, undefined,
      // « cell.[[HeldValue]] »), which every host performs as that Call.
      if (self !== undefinedThis || count !== 1) {
        this.fail("a cleanup callback was called with " + count + " arguments and this " +
                  (self === undefinedThis ? "undefined" : "of type " + typeof self) +
                  ", where every engine passes one argument and this undefined");
      }
      if (this.verifier) {
        if (this.inOp) this.verifier.failures.push("a cleanup callback ran during an op");
        const entry = this.verifier.count(r, held);
        if (++entry.delivered > entry.registered) {
          this.verifier.failures.push("more callbacks with heldValue " + this.v(held) +
                                      " than registrations with it");
        }
      }
      this.heldValues.push(held);
      this.inOp = true;
      try {
        body(held);
      } catch (e) {
        if (e instanceof Thrown) this.out(isAsync ? "ret" : "threw");
        throw e;
      } finally {
        this.heldValues.pop();
        this.inOp = this.heldValues.length > 0;
      }
      this.out("ret");
    }
  }

  // Whether the engine still runs cleanup callbacks at all: a fresh registry's, within
  // a few macrotasks of a gc. An engine whose cleanup stopped would otherwise pass its
  // failure on to every later program of the batch. The target is made in a function
  // of its own, so that no suspended async frame holds it; the registry is returned, so
  // that it lives as long as whoever reads `fired`.
  const arm = () => {
    const fired = { yes: false };
    const registry = new FinalizationRegistry(() => { fired.yes = true; });
    registry.register({}, 0);
    return { fired, registry };
  };
  const canary = async () => {
    const armed = arm();
    host.gc();
    for (let i = 0; i < 8 && !armed.fired.yes; i++) await host.macrotask();
    return armed.fired.yes;
  };

  // Runs each [name, profile, budget, program] in turn; a program is an async function of
  // (run, h). With host.verify, host.finish receives the verifier's failures. With
  // `lazyCanary`, the canary after a program is the lazy one armed before it, when it came.
  const main = async (programs, lazyCanary = false) => {
    host.onUncaught((e) => {
      if (!(e instanceof Thrown)) host.print("uncaught " + quote(String(e)));
    });
    // lazyCanary: the canary armed after the last program, which flies on this one's own
    // gc ops and turns; only when it has not come by this program's end does the script
    // fly one of its own, which costs a gc and a task.
    let armed = null;
    for (const [name, profile, budget, program] of programs) {
      host.print("begin " + name);
      const run = new Run(profile, budget);
      try {
        await program(run, []);
        // Every host drains its promise jobs before the program is done, the ones they
        // queue included (a chain of thens, one more microtask each), as the model does.
        while (run.pendingThens > 0) await undefined;
      } catch (e) {
        // A host without what the program needs ($262.gc, timers) fails here, loudly.
        run.fail(String(e));
      }
      run.out("end");
      run.closed = true;  // late callbacks of this program's registries print nothing
      if (run.verifier) return host.finish(run.verifier.failures);
      const alive = (armed !== null && armed.fired.yes) || (await canary());
      armed = lazyCanary ? arm() : null;
      if (!alive) {
        host.print("stalled");
        return host.exit();  // the adapter goes on in a fresh engine
      }
    }
    host.print("done");
  };
  return { main, Thrown };
};
