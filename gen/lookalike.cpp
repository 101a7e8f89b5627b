#include "gen/lookalike.h"

#include <array>
#include <string>

#include <fmt/format.h>

#include "model/splitmix.h"
#include "model/text.h"

namespace finrig::gen {
namespace {

// The handles every lookalike program uses, each with one role.
constexpr int kRegistries = 3;  // h0 h1 h2
constexpr int kFirstTarget = 3, kTargets = 5;  // h3..h7
constexpr int kFirstToken = 8, kTokens = 2;    // h8 h9
constexpr int kFirstWeakRef = 10, kWeakRefs = 2;  // h10 h11
constexpr int kRevived = 12;   // what a deref hands back, kept as a root for a while
constexpr int kHolder = 13;    // an object whose links keep targets alive
constexpr int kHeldObject = 14;  // a heldValue with identity, which may reach a target

class Writer {
 public:
  explicit Writer(std::uint64_t seed) : random_(seed) {}

  std::string Program() {
    std::string text = random_.Chance(0.15) ? "# profile: es2021\n" : "";
    const int registries = 1 + static_cast<int>(random_.Below(kRegistries));
    // Registries last among the roots: their callbacks name the other handles.
    for (int t = 0; t < kTargets; ++t) text += fmt::format("h{} = object\n", kFirstTarget + t);
    for (int k = 0; k < kTokens; ++k) text += fmt::format("h{} = object\n", kFirstToken + k);
    text += fmt::format("h{} = object\nh{} = object\nh{} = undefined\n", kHolder, kHeldObject,
                        kRevived);
    for (int w = 0; w < kWeakRefs; ++w) {
      text += fmt::format("h{} = weakref {}\n", kFirstWeakRef + w, Target());
    }
    for (int r = 0; r < registries; ++r) text += Registry(r);
    // Registrations first, so cells exist before things die; then a random history.
    for (int i = 2 + static_cast<int>(random_.Below(5)); i > 0; --i) {
      text += Register(registries);
    }
    for (int i = 6 + static_cast<int>(random_.Below(16)); i > 0; --i) {
      text += Step(registries);
    }
    // Everything may die at the end, and the engine has turns to deliver it.
    for (int h = kFirstTarget; h <= kHeldObject; ++h) text += fmt::format("drop h{}\n", h);
    return text + "gc\nturn\nturn\nturn\n";
  }

 private:
  std::string Registry(int r) {
    std::string body;
    // A callback may name its own registry and those made before it.
    for (int i = static_cast<int>(random_.Below(4)); i > 0; --i) body += "  " + BodyOp(r + 1);
    if (body.empty()) return fmt::format("h{} = registry\n", r);
    return fmt::format("h{} = registry {{\n{}}}\n", r, body);
  }

  std::string BodyOp(int registries) {
    switch (random_.Below(8)) {
      case 0: return fmt::format("unregister h{} {}\n", random_.Below(registries), Token());
      case 1: return fmt::format("h{} = deref h{}\n", kRevived, WeakRef());
      case 2: return fmt::format("deref h{}\n", WeakRef());
      case 3: return random_.Chance(0.5) ? "throw\n" : fmt::format("throw {}\n", Held());
      case 4: return Register(registries);
      case 5: return "gc\n";
      case 6: return fmt::format("drop h{}\n", kRevived);
      default: return "unregister h0 held\n";
    }
  }

  std::string Step(int registries) {
    switch (random_.Below(12)) {
      case 0:
      case 1: return Register(registries);
      case 2:
      case 3: return fmt::format("drop {}\n", random_.Chance(0.8) ? Target() : Token());
      case 4: return "gc\n";
      case 5:
      case 6: return "turn\n";
      case 7: return fmt::format("unregister h{} {}\n", random_.Below(registries), Token());
      case 8:
        return random_.Chance(0.5) ? fmt::format("h{} = deref h{}\n", kRevived, WeakRef())
                                   : fmt::format("drop h{}\n", kRevived);
      case 9:
        return fmt::format("link {} {}\n",
                           random_.Chance(0.5) ? fmt::format("h{}", kHolder) : Target(), Target());
      case 10: return fmt::format("link h{} {}\n", kHeldObject, Target());
      default:
        return random_.Chance(0.3) ? fmt::format("drop h{}\n", random_.Below(registries))
                                   : fmt::format("h{} = weakref {}\n", WeakRef(), Target());
    }
  }

  std::string Register(int registries) {
    const std::string target = Target();
    std::string token;
    switch (random_.Below(4)) {
      case 0: break;  // no token
      case 1: token = " " + target; break;
      default: token = " " + Token(); break;
    }
    return fmt::format("register h{} {} {}{}\n", random_.Below(registries), target, Held(),
                       token);
  }

  // Few heldValues, so that cells look alike.
  std::string Held() {
    static constexpr std::array kHeld = {"\"a\"", "\"a\"", "\"b\"", "1"};
    if (random_.Chance(0.15)) return fmt::format("h{}", kHeldObject);
    return kHeld[random_.Below(kHeld.size())];
  }
  std::string Target() { return fmt::format("h{}", kFirstTarget + random_.Below(kTargets)); }
  std::string Token() {
    if (random_.Chance(0.3)) return Target();  // the target as its own token
    return fmt::format("h{}", kFirstToken + random_.Below(kTokens));
  }
  std::size_t WeakRef() { return kFirstWeakRef + random_.Below(kWeakRefs); }

  SplitMix64 random_;
};

}  // namespace

Program LookalikeProgram(std::uint64_t seed) {
  return ParseProgram(Writer(seed).Program(), fmt::format("<lookalike {}>", seed));
}

}  // namespace finrig::gen
