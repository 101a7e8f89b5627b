// The SpiderMonkey host's contract, and what SpiderMonkey (102, and 78 in a build of its
// own) does with FinalizationRegistry and WeakRef under it.
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <unistd.h>

#include "engines/spidermonkey/host.h"

namespace finrig::spidermonkey {
namespace {

using namespace std::chrono_literals;
using End = ScriptResult::End;

constexpr auto kTimeout = 10s;

class HostTest : public ::testing::Test {
 protected:
  ScriptResult Run(std::string_view source, std::chrono::milliseconds timeout = kTimeout) {
    return host_.Run(source, timeout);
  }

  Host host_;
};

TEST_F(HostTest, PrintWritesOneLinePerCall) {
  const ScriptResult result = Run(R"(print("a"); print(1 + 1))");
  EXPECT_EQ(result.end, End::Completed);
  EXPECT_EQ(result.output, "a\n2\n");
  EXPECT_EQ(result.error, "");
}

// What the host process (shell_main.cpp) streams: each line as it is printed, before
// the event loop goes on.
TEST_F(HostTest, EchoSeesEachLineAsItIsPrinted) {
  std::string seen;
  const ScriptResult result = host_.Run(
      R"(print("a"); setTimeout(() => print("timer"), 0); print("b"))", kTimeout,
      [&](std::string_view line) { seen += "[" + std::string(line) + "]"; });
  EXPECT_EQ(result.output, "a\nb\ntimer\n");
  EXPECT_EQ(seen, "[a][b][timer]");
}

// gc() hands the cleanup to the host, which queues it as a task behind the tasks queued
// before it and ahead of those queued after it: here the await's setTimeout comes
// second, so "cb held" precedes "after turn".
TEST_F(HostTest, CleanupIsATaskQueuedByGc) {
  const ScriptResult result = Run(R"(
    let h = [{}];
    const r = new FinalizationRegistry(v => print("cb " + v));
    r.register(h[0], "held");
    h[0] = undefined;
    (async () => { gc(); await new Promise(res => setTimeout(res)); print("after turn"); })();
  )");
  EXPECT_EQ(result.end, End::Completed) << result.error;
  EXPECT_EQ(result.output, "cb held\nafter turn\n");
}

TEST_F(HostTest, CleanupQueuedAfterATimerRunsAfterIt) {
  const ScriptResult result = Run(R"(
    const r = new FinalizationRegistry(v => print("cb " + v));
    r.register({}, "held");
    setTimeout(() => print("timer"));
    gc();
  )");
  EXPECT_EQ(result.end, End::Completed) << result.error;
  EXPECT_EQ(result.output, "timer\ncb held\n");
}

TEST_F(HostTest, ReferencedTargetIsNotCleanedUp) {
  const ScriptResult result = Run(R"(
    const kept = {};
    const r = new FinalizationRegistry(v => print("cb " + v));
    r.register(kept, "held");
    gc();
    setTimeout(() => { gc(); setTimeout(() => print("after turns " + typeof kept)); });
  )");
  EXPECT_EQ(result.end, End::Completed) << result.error;
  EXPECT_EQ(result.output, "after turns object\n");
}

// A WeakRef's target is kept alive until the end of the job that created or
// dereferenced it (the host's microtask checkpoint clears the kept objects).
TEST_F(HostTest, WeakRefTargetIsKeptForTheCurrentJobOnly) {
  const ScriptResult result = Run(R"(
    const w = new WeakRef({});
    gc();
    print(w.deref() === undefined ? "cleared" : "kept");
    setTimeout(() => { gc(); print(w.deref() === undefined ? "cleared" : "kept"); });
  )");
  EXPECT_EQ(result.end, End::Completed) << result.error;
  EXPECT_EQ(result.output, "kept\ncleared\n");
}

// One doCleanup call delivers every cell the registry has queued: the microtasks that
// the callbacks queue run only after the last callback. SpiderMonkey 102 visits dying
// targets in hash-table order, so the order among the five is unspecified.
TEST_F(HostTest, OneCleanupTaskDeliversAllCellsOfARegistry) {
  const ScriptResult result = Run(R"(
    let calls = 0, seen = 0;
    const r = new FinalizationRegistry(v => {
      calls++;
      seen |= 1 << v;
      Promise.resolve().then(() => print("microtask after " + calls + " calls"));
    });
    let targets = [];
    for (let i = 0; i < 5; i++) { targets.push({}); r.register(targets[i], i); }
    targets = null;
    gc();
    setTimeout(() => print("seen " + seen.toString(2)));
  )");
  EXPECT_EQ(result.end, End::Completed) << result.error;
  EXPECT_EQ(result.output,
            "microtask after 5 calls\nmicrotask after 5 calls\nmicrotask after 5 calls\n"
            "microtask after 5 calls\nmicrotask after 5 calls\nseen 11111\n");
}

// A throwing callback stops its cleanup task; the host drops the exception and the
// event loop goes on. SpiderMonkey 102 does not queue the registry again for the
// cells left behind, not even at the next gc(): they come only with the next cleanup
// task, which another dying target of the same registry brings.
TEST_F(HostTest, ThrowingCleanupCallbackDoesNotEndTheLoop) {
  const ScriptResult result = Run(R"(
    let calls = 0;
    const r = new FinalizationRegistry(v => {
      calls++;
      if (calls === 1) throw new Error("first");
    });
    let targets = [];
    for (let i = 0; i < 5; i++) { targets.push({}); r.register(targets[i], i); }
    targets = null;
    gc();
    setTimeout(() => {
      print("after the first cleanup: " + calls);
      gc();
      setTimeout(() => {
        print("after another gc: " + calls);
        r.register({}, "new");
        gc();
        setTimeout(() => print("after a new target died: " + calls));
      });
    });
  )");
  EXPECT_EQ(result.end, End::Completed) << result.error;
  EXPECT_EQ(result.output,
            "after the first cleanup: 1\nafter another gc: 1\nafter a new target died: 6\n");
}

TEST_F(HostTest, RunawayScriptTimesOutAndTheHostStaysUsable) {
  const auto start = std::chrono::steady_clock::now();
  const ScriptResult result = Run(R"(print("before"); for (;;) {})", 200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(result.end, End::Timeout);
  EXPECT_EQ(result.output, "before\n");

  const ScriptResult next = Run(R"(print("next"))");
  EXPECT_EQ(next.end, End::Completed) << next.error;
  EXPECT_EQ(next.output, "next\n");
}

TEST_F(HostTest, EndlessEventLoopsTimeOut) {
  for (const char* source : {
           "function f() { setTimeout(f); } f();",
           "(async () => { for (;;) await 0; })();",
           "const r = new FinalizationRegistry(() => { for (;;) {} }); r.register({}, 0); gc();",
       }) {
    SCOPED_TRACE(source);
    const ScriptResult result = Run(source, 200ms);
    EXPECT_EQ(result.end, End::Timeout);
  }
}

TEST_F(HostTest, NothingQueuedByOneRunReachesTheNext) {
  const ScriptResult thrown = Run(R"(
    setTimeout(() => print("timer leaked"));
    Promise.resolve().then(() => print("job leaked"));
    throw new Error("stop");
  )");
  EXPECT_EQ(thrown.end, End::Exception);
  EXPECT_EQ(thrown.output, "");

  const ScriptResult timed_out = Run(R"(
    const r = new FinalizationRegistry(v => print("cb leaked"));
    r.register({}, 0);
    gc();
    setTimeout(() => print("timer leaked"));
    Promise.resolve().then(() => { for (;;) {} });
  )",
                                     200ms);
  EXPECT_EQ(timed_out.end, End::Timeout);
  EXPECT_EQ(timed_out.output, "");

  const ScriptResult next = Run("print('clean')");
  EXPECT_EQ(next.end, End::Completed) << next.error;
  EXPECT_EQ(next.output, "clean\n");
}

#if defined(__SANITIZE_ADDRESS__)
#define FINRIG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FINRIG_ASAN 1
#endif
#endif

// AddressSanitizer holds freed memory in quarantine, so there resident size grows
// whatever the host does.
#ifdef FINRIG_ASAN
constexpr bool kResidentSizeIsMeaningful = false;
#else
constexpr bool kResidentSizeIsMeaningful = true;
#endif

long ResidentKiB() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Each run leaves a target registered and alive through its global when it ends; no
// later run may see its callback, and dead runs must not pile up in memory.
TEST_F(HostTest, ManyRunsStayIsolatedAndDoNotGrow) {
  constexpr std::string_view kScript = R"(
    globalThis.kept = {};
    const r = new FinalizationRegistry(v => print("cb " + v));
    r.register(kept, "live #");
    r.register({}, "dead #");
    gc();
    setTimeout(() => print("end #"));
  )";
  // SpiderMonkey 78 keeps every dead global whose registry had a live cell: 2,000 runs
  // grew it by 168 MB and took 465 s. finrig runs 78 in a host process with one global
  // per process, so it never meets this; here 78 is held to isolation alone.
  constexpr bool kReleasesDeadGlobals = FINRIG_MOZJS_VERSION >= 102;
  constexpr int kRuns = kReleasesDeadGlobals ? 2000 : 300;
  long resident_after_warmup = 0;
  for (int i = 0; i < kRuns; ++i) {
    const std::string n = std::to_string(i);
    std::string source;
    for (const char c : kScript) {
      if (c == '#') {
        source += n;
      } else {
        source += c;
      }
    }
    const ScriptResult result = Run(source);
    ASSERT_EQ(result.end, End::Completed) << "run " << i << ": " << result.error;
    ASSERT_EQ(result.output, "cb dead " + n + "\nend " + n + "\n") << "run " << i;
    if (i == 200) resident_after_warmup = ResidentKiB();
  }
  if (kResidentSizeIsMeaningful && kReleasesDeadGlobals) {
    EXPECT_LT(ResidentKiB() - resident_after_warmup, 32 * 1024);
  }
}

// Without gc() in the scripts, only the host's own collection frees dead runs.
TEST_F(HostTest, TrivialRunsDoNotGrowMemory) {
  long resident_after_warmup = 0;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(Run("print(1)").output, "1\n") << "run " << i;
    if (i == 200) resident_after_warmup = ResidentKiB();
  }
  if (kResidentSizeIsMeaningful) {
    EXPECT_LT(ResidentKiB() - resident_after_warmup, 32 * 1024);
  }
}

// SpiderMonkey 102 accepts only objects as targets; symbols as weak targets came with
// ES2023.
TEST_F(HostTest, SymbolTargetThrowsTypeError) {
  const ScriptResult result = Run(R"(new FinalizationRegistry(() => {}).register(Symbol("x"), 1))");
  EXPECT_EQ(result.end, End::Exception);
  EXPECT_EQ(result.error,
            "TypeError: target argument to FinalizationRegistry.register is not a non-null "
            "object (script.js:1)");
}

TEST_F(HostTest, UncaughtExceptionEndsTheRun) {
  const ScriptResult result =
      Run("print('before');\nthrow new RangeError('boom');\nprint('after')");
  EXPECT_EQ(result.end, End::Exception);
  EXPECT_EQ(result.error, "RangeError: boom (script.js:2)");
  EXPECT_EQ(result.output, "before\n");

  const ScriptResult primitive = Run("throw 42");
  EXPECT_EQ(primitive.end, End::Exception);
  EXPECT_EQ(primitive.error, "uncaught exception: 42 (script.js:1)");

  const ScriptResult syntax = Run("print(");
  EXPECT_EQ(syntax.end, End::Exception);
  EXPECT_NE(syntax.error.find("SyntaxError"), std::string::npos) << syntax.error;
}

TEST_F(HostTest, ExceptionInATimerEndsTheRun) {
  const ScriptResult result = Run(R"(
    setTimeout(() => { throw new Error("in timer"); });
    setTimeout(() => print("never"));
  )");
  EXPECT_EQ(result.end, End::Exception);
  EXPECT_EQ(result.error, "Error: in timer (script.js:2)");
  EXPECT_EQ(result.output, "");
}

// Rejections are settled inside promise jobs, so an unhandled one ends nothing.
// A registry that is itself unreachable is collected along with its targets, and its
// callback never runs.
TEST_F(HostTest, DeadRegistryCallsNothing) {
  const ScriptResult result = Run(R"(
    new FinalizationRegistry(v => print("cb " + v)).register({}, "held");
    gc();
    setTimeout(() => print("turn"));
  )");
  EXPECT_EQ(result.end, End::Completed) << result.error;
  EXPECT_EQ(result.output, "turn\n");
}

TEST_F(HostTest, UnhandledRejectionIsNotAnError) {
  const ScriptResult result = Run(R"(Promise.reject(new Error("x")); print("done"))");
  EXPECT_EQ(result.end, End::Completed);
  EXPECT_EQ(result.output, "done\n");
}

TEST_F(HostTest, RunawayRecursionIsACatchableError) {
  const ScriptResult result = Run(R"(
    function f() { return f() + 1; }
    try { f(); } catch (e) { print(e instanceof InternalError); }
  )");
  EXPECT_EQ(result.end, End::Completed) << result.error;
  EXPECT_EQ(result.output, "true\n");
}

TEST_F(HostTest, SetTimeoutRejectsANonFunction) {
  const ScriptResult result = Run("setTimeout('print(1)')");
  EXPECT_EQ(result.end, End::Exception);
  EXPECT_EQ(result.output, "");
}

TEST_F(HostTest, SecondHostIsRefusedWhileOneIsAlive) {
  EXPECT_THROW(Host second, std::logic_error);
  EXPECT_EQ(Run("print(1)").output, "1\n");
}

TEST(HostLifetime, HostCanBeCreatedAgainAfterTheLastOneIsGone) {
  for (int i = 0; i < 3; ++i) {
    Host host;
    EXPECT_EQ(host.Run("print(" + std::to_string(i) + ")", kTimeout).output,
              std::to_string(i) + "\n");
  }
}

}  // namespace
}  // namespace finrig::spidermonkey
