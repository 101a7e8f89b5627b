#include "model/value.h"

#include <array>
#include <cmath>

#include <fmt/format.h>

#include "model/overloaded.h"
#include "model/utf8.h"

namespace finrig {
namespace {

constexpr std::array<std::string_view, 13> kWellKnownSymbolNames = {
    "asyncIterator", "hasInstance", "isConcatSpreadable", "iterator", "match",
    "matchAll",      "replace",     "search",             "species",  "split",
    "toPrimitive",   "toStringTag", "unscopables"};

std::string NumberToText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  return fmt::format("{}", d);  // shortest representation that reads back exactly
}

}  // namespace

std::string EscapeString(std::string_view bytes) {
  std::string out = "\"";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const unsigned char c = bytes[i];
    if (c >= 0x80) {
      const std::size_t length = Utf8SequenceLength(bytes, i);
      if (length == 0) {
        out += fmt::format("\\x{:02x}", c);  // keeps canonical text valid UTF-8
      } else {
        out += bytes.substr(i, length);
        i += length - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

bool SameValue(const Value& x, const Value& y) {
  if (x.index() != y.index()) return false;
  if (const double* a = std::get_if<double>(&x)) {
    const double b = std::get<double>(y);
    if (std::isnan(*a) && std::isnan(b)) return true;
    return *a == b && std::signbit(*a) == std::signbit(b);
  }
  return x == y;
}

bool CanBeHeldWeakly(const Value& v, Profile profile) {
  // 1. If v is an Object, return true.
  if (std::holds_alternative<ObjectRef>(v)) return true;
  // 2. If v is a Symbol and KeyForSymbol(v) is undefined, return true.
  //    (The symbols-as-WeakMap-keys change; es2021 engines stop at step 1.)
  if (profile == Profile::Es2023 &&
      (std::holds_alternative<UniqueSymbol>(v) || std::holds_alternative<WellKnownSymbol>(v))) {
    return true;
  }
  // 3. Return false.
  return false;
}

bool IsWellKnownSymbolName(std::string_view name) {
  for (std::string_view known : kWellKnownSymbolNames) {
    if (known == name) return true;
  }
  return false;
}

std::string_view WellKnownSymbolName(std::size_t index) {
  return kWellKnownSymbolNames[index % kWellKnownSymbolNames.size()];
}

std::size_t WellKnownSymbolCount() { return kWellKnownSymbolNames.size(); }

std::string ToText(const Value& v) {
  return std::visit(
      Overloaded{
          [](Undefined) -> std::string { return "undefined"; },
          [](Null) -> std::string { return "null"; },
          [](bool b) -> std::string { return b ? "true" : "false"; },
          [](double d) { return NumberToText(d); },
          [](const String& s) { return EscapeString(s.bytes); },
          [](const BigInt& b) { return b.decimal + "n"; },
          [](const UniqueSymbol& s) { return fmt::format("@{}", s.id); },
          [](const RegisteredSymbol& s) { return "Symbol.for(" + EscapeString(s.key) + ")"; },
          [](const WellKnownSymbol& s) { return "Symbol." + s.name; },
          [](const ObjectRef& o) { return fmt::format("@{}", o.id); },
      },
      v);
}

std::string_view ProfileName(Profile p) { return p == Profile::Es2021 ? "es2021" : "es2023"; }

std::optional<Profile> ProfileFromName(std::string_view name) {
  if (name == "es2021") return Profile::Es2021;
  if (name == "es2023") return Profile::Es2023;
  return std::nullopt;
}

}  // namespace finrig
