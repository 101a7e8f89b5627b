// finrig's runtime for emitted programs (engines/js.cpp pastes it into every script).
// `host` supplies print, gc and macrotask; everything else is plain ECMAScript.
// It must not keep anything alive that the program does not: ids live in WeakMaps,
// values are printed at once and never stored, and no local of the program's async
// function holds a value across an await.
const finrig = (host) => {
  "use strict";
  const { register, unregister } = FinalizationRegistry.prototype;
  const { deref } = WeakRef.prototype;
  const EDGES = Symbol("finrig.edges");
  const WELL_KNOWN = ["asyncIterator", "hasInstance", "isConcatSpreadable", "iterator",
                      "match", "matchAll", "replace", "search", "species", "split",
                      "toPrimitive", "toStringTag", "unscopables"];
  const CALLBACK_BUDGET = BUDGET_PLACEHOLDER;
  let symbolsAreWeak = true;
  try { new WeakMap().set(Symbol(), 0); } catch { symbolsAreWeak = false; }
  // The `throw` op's exception: it must end the cleanup job, so nothing catches it.
  class Thrown { toString() { return "finrig throw"; } }

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

  // One program's execution: its heap ids, callback count and output.
  class Run {
    constructor() {
      this.ids = new WeakMap();
      this.symbolIds = new Map();  // where symbols cannot be WeakMap keys (es2021)
      this.next = 0;
      this.callbacks = 0;
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
    op(path, f) {
      try {
        this.out("op " + path + " " + this.v(f()));
      } catch (e) {
        if (e instanceof Thrown) throw e;
        this.out("op " + path + " " + (e instanceof TypeError ? "TypeError" : "error " + quote(String(e))));
      }
    }
    // Ops below are called through op(): they return the op's value or throw.
    object() { return this.alloc({}); }
    symbol(description) { return this.alloc(Symbol(description)); }
    registry(body) {
      const run = this;
      const r = new FinalizationRegistry((held) => run.callback(r, held, body));
      return this.alloc(r);
    }
    weakRef(target) { return this.alloc(new WeakRef(target)); }
    register(r, ...args) { return register.call(r, ...args); }
    unregister(r, token) { return unregister.call(r, token); }
    deref(w) { return deref.call(w); }
    edges(from) {
      if (from === null || (typeof from !== "object" && typeof from !== "function")) {
        throw new TypeError("link from a primitive");
      }
      return from[EDGES] ?? (from[EDGES] = new Set());
    }
    link(from, to) { this.edges(from).add(to); }
    unlink(from, to) { this.edges(from).delete(to); }
    gc(path) { host.gc(); this.out("op " + path + " undefined"); }
    async turn(path) { await host.macrotask(); this.out("op " + path + " undefined"); }
    throwIf(path, fires) {
      if (!fires) return this.out("op " + path + " undefined");
      this.out("op " + path + " throw");
      throw new Thrown();
    }
    callback(r, held, body) {
      if (this.closed) return;
      if (++this.callbacks > CALLBACK_BUDGET) {
        // The model stops every job here; an engine cannot be made to, so the trace ends.
        this.out("budget");
        this.closed = true;
        return;
      }
      this.out("cb " + this.v(r) + " " + this.v(held));
      try {
        body(held);
      } catch (e) {
        if (e instanceof Thrown) this.out("threw");
        throw e;
      }
      this.out("ret");
    }
  }

  // Whether the engine still runs cleanup callbacks at all: a fresh registry's, within
  // a few macrotasks of a gc. An engine whose cleanup stopped would otherwise pass its
  // failure on to every later program of the batch. The target is made in a function
  // of its own, so that no suspended async frame holds it.
  const arm = (fired) => {
    const registry = new FinalizationRegistry(() => { fired.yes = true; });
    registry.register({}, 0);
    return registry;
  };
  const canary = async () => {
    const fired = { yes: false };
    const registry = arm(fired);
    host.gc();
    for (let i = 0; i < 8 && !fired.yes; i++) await host.macrotask();
    return fired.yes && registry !== undefined;  // read here, so the registry lives till now
  };

  // Runs each [name, program] in turn; a program is an async function of (run, h).
  const main = async (programs) => {
    host.onUncaught((e) => {
      if (!(e instanceof Thrown)) host.print("uncaught " + quote(String(e)));
    });
    for (const [name, program] of programs) {
      host.print("begin " + name);
      const run = new Run();
      try {
        await program(run, []);
      } catch (e) {
        run.out("error " + quote(String(e)));
      }
      run.out("end");
      run.closed = true;  // late callbacks of this program's registries print nothing
      if (!(await canary())) {
        host.print("stalled");
        return host.exit();  // the adapter goes on in a fresh engine
      }
    }
    host.print("done");
  };
  return { main, Thrown };
};
