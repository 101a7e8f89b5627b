// ECMAScript language values as far as FinalizationRegistry semantics can tell them
// apart: identity for objects and symbols, SameValue for everything else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace finrig {

// Which edition's CanBeHeldWeakly the model follows (docs/SEMANTICS.md, "Values").
enum class Profile : std::uint8_t {
  Es2021,  // only Objects can be held weakly
  Es2023,  // Objects and non-registered Symbols (symbols as WeakMap keys)
};

// Identity of a heap thing (object or unique symbol): its allocation number, in
// creation order, written `@N`. The model and the checker number independently and
// must agree.
using HeapId = std::uint32_t;

struct Undefined {
  friend bool operator==(Undefined, Undefined) = default;
};
struct Null {
  friend bool operator==(Null, Null) = default;
};
struct String {
  std::string bytes;  // UTF-8 as written; compared bytewise
  friend bool operator==(const String&, const String&) = default;
};
struct BigInt {
  std::string decimal;  // canonical: optional '-', no leading zeros, never "-0"
  friend bool operator==(const BigInt&, const BigInt&) = default;
};
// Symbol("desc"): an identity of its own, allocated on the heap.
struct UniqueSymbol {
  HeapId id;
  friend bool operator==(const UniqueSymbol&, const UniqueSymbol&) = default;
};
// Symbol.for(key): no identity beyond its key; KeyForSymbol is not undefined.
struct RegisteredSymbol {
  std::string key;
  friend bool operator==(const RegisteredSymbol&, const RegisteredSymbol&) = default;
};
// Symbol.iterator and friends: a unique identity shared by all realms, never collected.
struct WellKnownSymbol {
  std::string name;  // "iterator", "asyncIterator", ...
  friend bool operator==(const WellKnownSymbol&, const WellKnownSymbol&) = default;
};
struct ObjectRef {
  HeapId id;
  friend bool operator==(const ObjectRef&, const ObjectRef&) = default;
};

using Value = std::variant<Undefined, Null, bool, double, String, BigInt, UniqueSymbol,
                           RegisteredSymbol, WellKnownSymbol, ObjectRef>;

// ECMA-262 SameValue: NaN equals NaN, +0 and -0 differ, identity for objects/symbols.
bool SameValue(const Value& x, const Value& y);

// ECMA-262 CanBeHeldWeakly, per profile.
bool CanBeHeldWeakly(const Value& v, Profile profile);

// The heap thing a value denotes, if it has identity that can die (objects, unique
// symbols); well-known symbols live forever and registered symbols have no identity.
// Inline: the model's and the checker's reachability walks call it for every edge.
inline std::optional<HeapId> HeapIdOf(const Value& v) {
  if (const auto* o = std::get_if<ObjectRef>(&v)) return o->id;
  if (const auto* s = std::get_if<UniqueSymbol>(&v)) return s->id;
  return std::nullopt;
}

bool IsWellKnownSymbolName(std::string_view name);
// The well-known symbol names in a fixed order (for the binary form); index wraps.
std::string_view WellKnownSymbolName(std::size_t index);
std::size_t WellKnownSymbolCount();

// A string literal in .fr spelling, quotes included: escapes ", \, \n, \t, \r, and
// other control bytes as \xHH; other bytes (UTF-8) as they are.
std::string EscapeString(std::string_view bytes);

// Canonical spelling, the one .fr text uses: undefined, true, -0, NaN, 1.5, "s\n",
// 12n, Symbol.for("k"), Symbol.iterator, @3 (object), @4 (unique symbol).
std::string ToText(const Value& v);

std::string_view ProfileName(Profile p);
std::optional<Profile> ProfileFromName(std::string_view name);

}  // namespace finrig
