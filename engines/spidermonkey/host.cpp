// The SpiderMonkey host: one JSContext, a fresh global per run, and an event loop of
// the host's own (promise jobs, then a FIFO of timers and registry cleanups) that it
// can bound in time and empty between runs.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <thread>
#include <utility>

#include <js-config.h>  // MOZJS_MAJOR_VERSION
#include <js/CharacterEncoding.h>
#include <js/CompilationAndEvaluation.h>
#include <js/Conversions.h>
#include <js/ErrorReport.h>
#include <js/Exception.h>
#include <js/GCAPI.h>
#include <js/Initialization.h>
#include <js/Promise.h>
#include <js/PropertySpec.h>
#include <js/Realm.h>
#include <js/RealmOptions.h>
#include <js/RootingAPI.h>
#include <js/SourceText.h>
#include <js/TracingAPI.h>
#include <jsapi.h>
#if MOZJS_MAJOR_VERSION >= 102  // split out of jsapi.h since 78
#include <js/CallAndConstruct.h>
#include <js/Context.h>
#include <js/GlobalObject.h>
#include <js/Interrupt.h>
#include <js/Stack.h>
#include <js/String.h>
#endif

#include "engines/spidermonkey/host.h"

namespace finrig::spidermonkey {
namespace {

// A root's edge for the GC to trace (and update, when it moves the thing).
template <typename T>
void TraceRootEdge(JSTracer* trc, T* edge, const char* name) {
#if MOZJS_MAJOR_VERSION >= 102
  JS::TraceRoot(trc, edge, name);
#else
  JS::UnsafeTraceRoot(trc, edge, name);  // 78's name: a root is traced in full, as here
#endif
}

constexpr uint32_t kMaxHeapBytes = 1u << 30;
// The SpiderMonkey shell's quota: far below the 8 MiB default thread stack on Linux,
// so runaway recursion becomes a catchable InternalError instead of a crash.
constexpr size_t kNativeStackQuota = 128 * sizeof(size_t) * 1024;

// JS_Init may succeed only once per process, and JS_ShutDown must follow the last
// JS_DestroyContext; a function-local static gives both across Host lifetimes.
class Engine {
 public:
  static void EnsureInitialized() { static Engine engine; }

 private:
  Engine() {
    if (!JS_Init()) throw std::runtime_error("SpiderMonkey: JS_Init failed");
  }
  ~Engine() { JS_ShutDown(); }
};

std::atomic<bool> host_alive{false};

struct ContextDeleter {
  void operator()(JSContext* cx) const { JS_DestroyContext(cx); }
};
using ContextPtr = std::unique_ptr<JSContext, ContextDeleter>;

ContextPtr NewContext() {
  Engine::EnsureInitialized();
  ContextPtr cx(JS_NewContext(kMaxHeapBytes));
  if (!cx) throw std::runtime_error("SpiderMonkey: JS_NewContext failed");
  JS_SetNativeStackQuota(cx.get(), kNativeStackQuota);
  // Every collection then runs to completion in one go: gc() is a full collection,
  // and no marking is in progress while the host mutates its unbarriered roots.
#if MOZJS_MAJOR_VERSION >= 102
  JS_SetGCParameter(cx.get(), JSGC_INCREMENTAL_GC_ENABLED, 0);
#else
  JS_SetGCParameter(cx.get(), JSGC_MODE, JSGC_MODE_GLOBAL);  // whole heap, not incremental
#endif
  if (!JS::InitSelfHostedCode(cx.get())) {
    throw std::runtime_error("SpiderMonkey: InitSelfHostedCode failed");
  }
  return cx;
}

// A FIFO of GC things held as a root: the GC sees (and, when it moves them, updates)
// each element. Elements are raw pointers, which is sound only for a root traced in
// full at every collection, as PersistentRooted is.
template <typename Item>
struct RootedFifo {
  std::deque<Item> items;
  void trace(JSTracer* trc) {
    for (Item& item : items) item.trace(trc);
  }
};

struct Job {
  JSObject* function;
  void trace(JSTracer* trc) { TraceRootEdge(trc, &function, "finrig promise job"); }
};

// A timer's callback, or what the engine handed over for a registry's cleanup: in 102 a
// function to call, in 78 the registry itself (JS::CleanupQueuedFinalizationRegistry).
struct Task {
  enum class Kind { Timer, Cleanup };
  JSObject* object;
  Kind kind;
  void trace(JSTracer* trc) { TraceRootEdge(trc, &object, "finrig task"); }
};

// Interrupts the context's running script once the armed deadline passes.
// JS_RequestInterruptCallback is the one JSAPI call that is safe from another thread.
class Watchdog {
 public:
  explicit Watchdog(JSContext* cx)
      : cx_(cx), thread_([this](std::stop_token stop) { Loop(stop); }) {}

  void Arm(std::chrono::steady_clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    fired_ = false;
    deadline_ = deadline;
    wakeup_.notify_one();
  }

  void Disarm() {
    std::lock_guard lock(mutex_);
    deadline_.reset();
    wakeup_.notify_one();
  }

  // Stays true after the deadline passed until the next Arm, so that a run that was
  // interrupted can tell its uncatchable termination apart from other failures.
  bool fired() const { return fired_; }

 private:
  void Loop(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
      if (!deadline_) {
        wakeup_.wait(lock, stop, [this] { return deadline_.has_value(); });
        continue;
      }
      const auto deadline = *deadline_;
      if (wakeup_.wait_until(lock, stop, deadline, [&] { return deadline_ != deadline; })) {
        continue;
      }
      if (stop.stop_requested()) break;
      fired_ = true;
      deadline_.reset();
      JS_RequestInterruptCallback(cx_);
    }
  }

  JSContext* const cx_;
  std::mutex mutex_;
  std::condition_variable_any wakeup_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::atomic<bool> fired_{false};
  std::jthread thread_;
};

std::string ToUtf8(JSContext* cx, JS::HandleString str) {
  JSLinearString* linear = JS_EnsureLinearString(cx, str);
  if (!linear) return {};
  std::string utf8(JS::GetDeflatedUTF8StringLength(linear), '\0');
  utf8.resize(JS::DeflateStringToUTF8Buffer(linear, mozilla::Span(utf8.data(), utf8.size())));
  return utf8;
}

}  // namespace

// The Impl is also the context's job queue, so that promise jobs live in a queue the
// host can inspect, stop draining on a timeout and empty between runs.
class Host::Impl final : public JS::JobQueue {
 public:
  Impl()
      : cx_(NewContext()),
        jobs_(cx_.get()),
        tasks_(cx_.get()),
        global_(cx_.get()),
        watchdog_(cx_.get()) {
    JSContext* cx = cx_.get();
    JS_SetContextPrivate(cx, this);
    JS::SetJobQueue(cx, this);
    JS::SetHostCleanupFinalizationRegistryCallback(cx, OnCleanupNeeded, this);
    if (!JS_AddInterruptCallback(cx, OnInterrupt)) {
      throw std::runtime_error("SpiderMonkey: JS_AddInterruptCallback failed");
    }
  }

  ~Impl() override {
    // The shutdown collection in JS_DestroyContext must not call back into a half
    // destroyed Impl.
    JS::SetHostCleanupFinalizationRegistryCallback(cx_.get(), nullptr, nullptr);
  }

  ScriptResult Run(std::string_view source, std::chrono::milliseconds timeout, const Echo& echo) {
    JSContext* cx = cx_.get();
    result_ = {};
    echo_ = &echo;
    running_ = true;
    watchdog_.Arm(std::chrono::steady_clock::now() + timeout);
    {
      JS::RootedObject global(cx, NewGlobal());
      if (!global) {
        EndAfterFailure();
      } else {
        global_ = global;
        JSAutoRealm realm(cx, global);
        if (Evaluate(source)) {
          runJobs(cx);
          RunTasks();
        } else {
          EndAfterFailure();
        }
      }
    }
    watchdog_.Disarm();
    Reset();
    echo_ = nullptr;
    return std::move(result_);
  }

  // JS::JobQueue. The host calls runJobs itself at each microtask checkpoint.
  JSObject* getIncumbentGlobal(JSContext* cx) override { return JS::CurrentGlobalOrNull(cx); }

  bool enqueuePromiseJob(JSContext*, JS::HandleObject, JS::HandleObject job, JS::HandleObject,
                         JS::HandleObject) override {
    jobs_.get().items.push_back({job});
    return true;
  }

  void runJobs(JSContext* cx) override {
    JS::RootedObject job(cx);
    JS::RootedValue ignored(cx);
    auto& jobs = jobs_.get().items;
    while (running_ && !jobs.empty()) {
      if (StopIfTimedOut()) break;
      job = jobs.front().function;
      jobs.pop_front();
      if (!JS::Call(cx, JS::UndefinedHandleValue, job, JS::HandleValueArray::empty(), &ignored)) {
        EndAfterFailure();
      }
    }
    // WeakRef targets created or dereferenced so far stay alive until the checkpoint.
    JS::ClearKeptObjects(cx);
  }

  bool empty() const override { return jobs_.get().items.empty(); }

 private:
  // Only the Debugger uses this, which scripts here cannot reach; it is still
  // implemented as specified: set the queue aside and restore it when done.
  class SavedJobs final : public SavedJobQueue {
   public:
    explicit SavedJobs(Impl& impl)
        : impl_(impl), saved_(impl.cx_.get(), std::exchange(impl.jobs_.get(), {})) {}
    ~SavedJobs() override { impl_.jobs_.get() = std::move(saved_.get()); }

   private:
    Impl& impl_;
    JS::PersistentRooted<RootedFifo<Job>> saved_;
  };

  js::UniquePtr<SavedJobQueue> saveJobQueue(JSContext*) override {
    return js::UniquePtr<SavedJobQueue>(js_new<SavedJobs>(*this));
  }

  static Impl& From(JSContext* cx) { return *static_cast<Impl*>(JS_GetContextPrivate(cx)); }

  JSObject* NewGlobal() {
    static constexpr JSClass kGlobalClass = {
        .name = "global",
        .flags = JSCLASS_GLOBAL_FLAGS,
        .cOps = &JS::DefaultGlobalClassOps,
        .spec = nullptr,
        .ext = nullptr,
        .oOps = nullptr,
    };
    static constexpr JSFunctionSpec kFunctions[] = {
        JS_FN("print", Print, 1, 0),
        JS_FN("gc", Gc, 0, 0),
        JS_FN("setTimeout", SetTimeout, 1, 0),
        JS_FS_END,
    };
    JSContext* cx = cx_.get();
    JS::RealmOptions options;
#if MOZJS_MAJOR_VERSION >= 102
    options.creationOptions().setWeakRefsEnabled(JS::WeakRefSpecifier::EnabledWithoutCleanupSome);
#else
    options.creationOptions().setWeakRefsEnabled(true);
#endif
    JS::RootedObject global(
        cx, JS_NewGlobalObject(cx, &kGlobalClass, nullptr, JS::FireOnNewGlobalHook, options));
    if (!global) return nullptr;
    JSAutoRealm realm(cx, global);
    // No JS::InitRealmStandardClasses: DefaultGlobalClassOps resolves the standard
    // classes on first use, which scripts cannot tell apart, at less than half the cost
    // of a run.
    return JS_DefineFunctions(cx, global, kFunctions) ? global.get() : nullptr;
  }

  bool Evaluate(std::string_view source) {
    JSContext* cx = cx_.get();
    JS::CompileOptions options(cx);
    options.setFileAndLine("script.js", 1);
    JS::SourceText<mozilla::Utf8Unit> text;
    JS::RootedValue ignored(cx);
    return text.init(cx, source.data(), source.size(), JS::SourceOwnership::Borrowed) &&
           JS::Evaluate(cx, options, text, &ignored);
  }

  // The macrotask loop: setTimeout callbacks and FinalizationRegistry cleanups in the
  // order they were queued, each followed by a microtask checkpoint.
  void RunTasks() {
    JSContext* cx = cx_.get();
    JS::RootedObject object(cx);
    auto& tasks = tasks_.get().items;
    while (running_ && !tasks.empty()) {
      if (StopIfTimedOut()) break;
      object = tasks.front().object;
      const Task::Kind kind = tasks.front().kind;
      tasks.pop_front();
      if (!RunTask(object, kind)) {
        // As in a browser, an exception from a cleanup callback is reported (here:
        // dropped) and the event loop goes on.
        if (kind == Task::Kind::Cleanup && JS_IsExceptionPending(cx) &&
            !JS_IsThrowingOutOfMemory(cx) && !watchdog_.fired()) {
          JS_ClearPendingException(cx);
        } else {
          EndAfterFailure();
        }
      }
      runJobs(cx);
    }
  }

  bool RunTask(JS::HandleObject object, Task::Kind kind) {
    JSContext* cx = cx_.get();
#if MOZJS_MAJOR_VERSION < 102
    if (kind == Task::Kind::Cleanup) return JS::CleanupQueuedFinalizationRegistry(cx, object);
#endif
    (void)kind;
    JS::RootedValue ignored(cx);
    return JS::Call(cx, JS::UndefinedHandleValue, object, JS::HandleValueArray::empty(), &ignored);
  }

  bool StopIfTimedOut() {
    if (!watchdog_.fired()) return false;
    result_.end = ScriptResult::End::Timeout;
    running_ = false;
    return true;
  }

  // Classifies a call into script that returned false, and ends the run.
  void EndAfterFailure() {
    JSContext* cx = cx_.get();
    running_ = false;
    if (watchdog_.fired()) {
      result_.end = ScriptResult::End::Timeout;
    } else if (JS_IsThrowingOutOfMemory(cx)) {
      result_.end = ScriptResult::End::OutOfMemory;
    } else {
      result_.end = ScriptResult::End::Exception;
      result_.error = DescribePendingException();
    }
    JS_ClearPendingException(cx);
  }

  std::string DescribePendingException() {
    JSContext* cx = cx_.get();
    if (!JS_IsExceptionPending(cx)) return "terminated without an exception";
    JS::ExceptionStack exception(cx);
    if (!JS::StealPendingExceptionStack(cx, &exception)) return "unreadable exception";
    JS::ErrorReportBuilder report(cx);
    if (!report.init(cx, exception, JS::ErrorReportBuilder::NoSideEffects)) {
      return "unreadable exception";
    }
    std::string description = report.toStringResult() ? report.toStringResult().c_str() : "";
    if (const JSErrorReport* where = report.report(); where && where->filename) {
      description += " (";
      description += where->filename;
      description += ":" + std::to_string(where->lineno) + ")";
    }
    return description;
  }

  // Drops everything the run left behind, so that none of it reaches the next run.
  void Reset() {
    JSContext* cx = cx_.get();
    jobs_.get().items.clear();
    tasks_.get().items.clear();
    global_ = nullptr;
    JS_ClearPendingException(cx);
    JS::ClearKeptObjects(cx);
    // Each global lives in a zone of its own, and a zone's collection is triggered by
    // that zone's growth alone, so dead globals would pile up (some 200 kB each) without
    // a collection here. It even makes runs cheaper overall, and no object of this run,
    // registries included, survives into the next.
    JS_GC(cx);
  }

  static bool Print(JSContext* cx, unsigned argc, JS::Value* vp) {
    JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
    JS::RootedString str(cx, JS::ToString(cx, args.get(0)));
    if (!str) return false;
    std::string line = ToUtf8(cx, str);
    if (JS_IsExceptionPending(cx)) return false;
    std::string& output = From(cx).result_.output;
    output += line;
    output += '\n';
    if (*From(cx).echo_) (*From(cx).echo_)(line);
    args.rval().setUndefined();
    return true;
  }

  static bool Gc(JSContext* cx, unsigned argc, JS::Value* vp) {
    JS_GC(cx);
    JS::CallArgsFromVp(argc, vp).rval().setUndefined();
    return true;
  }

  static bool SetTimeout(JSContext* cx, unsigned argc, JS::Value* vp) {
    JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
    if (!args.get(0).isObject() || !JS::IsCallable(&args[0].toObject())) {
      JS_ReportErrorASCII(cx, "setTimeout: the callback is not a function");
      return false;
    }
    From(cx).tasks_.get().items.push_back({&args[0].toObject(), Task::Kind::Timer});
    args.rval().setUndefined();
    return true;
  }

  // Called during a collection's sweeping, where nothing may allocate GC things.
  // Only the current run's registries may queue work; Reset's collection normally
  // leaves none of an earlier run alive, and between runs there is no global.
#if MOZJS_MAJOR_VERSION >= 102
  static void OnCleanupNeeded(JSFunction* doCleanup, JSObject* incumbentGlobal, void* data) {
    Impl& self = *static_cast<Impl*>(data);
    if (incumbentGlobal != self.global_) return;
    self.tasks_.get().items.push_back({JS_GetFunctionObject(doCleanup), Task::Kind::Cleanup});
  }
#else
  static void OnCleanupNeeded(JSObject* registry, void* data) {
    Impl& self = *static_cast<Impl*>(data);
    if (JS::GetNonCCWObjectGlobal(registry) != self.global_) return;
    self.tasks_.get().items.push_back({registry, Task::Kind::Cleanup});
  }
#endif

  static bool OnInterrupt(JSContext* cx) { return !From(cx).watchdog_.fired(); }

  // Declared first so that it is destroyed last, after every root registered with it.
  ContextPtr cx_;
  JS::PersistentRooted<RootedFifo<Job>> jobs_;
  JS::PersistentRooted<RootedFifo<Task>> tasks_;
  JS::PersistentRootedObject global_;
  Watchdog watchdog_;
  ScriptResult result_;
  const Echo* echo_ = nullptr;
  bool running_ = false;
};

Host::Host() {
  if (host_alive.exchange(true)) {
    throw std::logic_error("finrig::spidermonkey::Host: only one Host may exist at a time");
  }
  try {
    impl_ = std::make_unique<Impl>();
  } catch (...) {
    host_alive = false;
    throw;
  }
}

Host::~Host() {
  impl_.reset();
  host_alive = false;
}

ScriptResult Host::Run(std::string_view source, std::chrono::milliseconds timeout,
                       const Echo& echo) {
  return impl_->Run(source, timeout, echo);
}

}  // namespace finrig::spidermonkey
