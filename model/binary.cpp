// The binary program form, for fuzzers. Every byte string decodes to a valid program
// (one the .fr parser would accept), a one-byte mutation usually changes one thing,
// and the common cases are short: `h0 = object` is 2 bytes, a handle operand 2 bytes.
//
// Layout
//   program := header op*              empty input: the empty es2023 program
//   header  := byte [varint]           bit 0: 0 = es2023, 1 = es2021; bit 1: the callback
//                                      budget follows (above kMaxCallbackBudget reads as
//                                      it), else it is the default (other bits ignored)
//   op      := opcode payload          kind = opcode % kOpKindCount (23), as in OpKind;
//                                      the parts in the order op_facts.h gives:
//      0 NewObject    dest
//      1 NewSymbol    dest varint(n)        n = 0: no description, else n-1 bytes of it
//      2 Assign       dest operand
//      3 NewRegistry  flags dest operand{k} varint(n) op{n}
//                                           k = (flags & 7) % 5 captures; bits 3-4:
//                                           NewTarget (0 or 3: the constructor, 1
//                                           undefined, 2 throwing); bit 5: the first
//                                           operand is the callback (k = 0: undefined),
//                                           the others are dropped and n is ignored (as
//                                           too deep a body's); else the callback body;
//                                           n = 0: no body; bit 6 (without bit 5): the
//                                           callback is async
//      4 NewWeakRef   dest operand
//      5 Deref        flags [dest] operand  flags bit 0: dest present
//      6 Register     flags operand{3} [operand]   flags bit 0: token present
//      7 Unregister   operand operand
//      8 Link         operand operand
//      9 Unlink       operand operand
//     10 Drop         dest
//     11 Gc           varint(n) varint{n}   the heap ids; n = 0: all unreachable
//     12 Turn         flags [varint(n) varint{n}] [varint]
//                                           flags bit 0: jobs (n positions),
//                                           bit 1: order lifo, bit 2: limit
//     13 Throw        flags [operand]       flags bit 0: operand present
//     14 Repeat       varint(N) varint(n) op{n}   N times (0 reads as 1, above
//                                           kMaxRepeat as it); the body's ops stand
//                                           where the repeat does (a repeat in it is
//                                           skipped)
//     15 NewWeakMap   dest
//     16 NewWeakSet   dest
//     17 WeakMapSet   operand{3}            map, key, value
//     18 WeakMapGet   flags [dest] operand{2}   flags bit 0: dest present
//     19 WeakHas      operand{2}
//     20 WeakDelete   operand{2}
//     21 WeakSetAdd   operand{2}
//     22 Then         varint(n) op{n}       the promise job's body, a function of its own
//   dest    := byte                    the handle number
//   operand := tag payload             tag = byte % 13:
//      0 handle      byte (the handle number)
//      1 held        -
//      2 undefined   -       3 null   -       4 false   -       5 true   -
//      6 number      byte: a small integer, read as int8_t
//      7 number      8 bytes: IEEE 754 binary64, little endian
//      8 string      varint(n) n bytes
//      9 BigInt      varint(2 * n + negative) n digit bytes, each read % 10
//     10 Symbol.for  varint(n) n key bytes
//     11 well-known  byte: index into WellKnownSymbolName (wraps)
//     12 iteration   -       the enclosing repeat's `i` (undefined outside one)
//   varint  := unsigned LEB128; a 10th byte ends it whatever its top bit. 32-bit
//              fields (heap ids, job positions, limit) keep the low 32 bits.
// Unused flag and header bits are ignored. Decoded values are canonical: any NaN reads
// as one quiet NaN, BigInt digits lose leading zeros, and -0n reads as 0n. The encoder
// writes one choice for each program: unused bits zero, minimal varints, digit bytes
// 0-9, the int8 form for the integers -128..127 (not -0), the canonical NaN.
//
// Mapping constructs that are invalid where they stand
// As in .fr text, a handle is assigned from its op on, in decode order (bodies
// included): after that op's own operands, before its body (a callback body may use
// its own registry's handle).
// - A handle operand or drop of a handle not assigned yet uses the next assigned
//   handle above it instead (wrapping after h255). While no handle is assigned, the
//   operand becomes `undefined` and the drop is skipped.
// - `held` outside a callback body becomes `undefined`.
// - `throw` at top level and `turn` in a body are read whole, then skipped.
// - A registry inside a body at depth kMaxBodyDepth, or with a callback operand, gets
//   no body: its count is read and ignored, so the ops after it belong to the
//   enclosing list.
// - A count or length larger than the bytes left, or the end of the input inside an op,
//   drops that op (its top-level op, when inside a body) and ends the program.
#include "model/binary.h"

#include <algorithm>
#include <bit>
#include <bitset>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "model/op_facts.h"
#include "model/overloaded.h"

namespace finrig {
namespace {

enum OperandTag : std::uint8_t {
  kHandle,
  kHeld,
  kUndefined,
  kNull,
  kFalse,
  kTrue,
  kSmallInteger,
  kNumber,
  kString,
  kBigInt,
  kRegisteredSymbol,
  kWellKnownSymbol,
  kIteration,
};
constexpr int kOperandTagCount = 13;

constexpr std::uint8_t kPresent = 1;  // Deref and get dest, Register token, Throw operand
// The low bits of the flags byte that count an op's optional operands, modulo one
// more than it may have: with one (a token) that is bit 0, as kPresent says.
constexpr std::uint8_t kOptionalCount = 7;

// An op whose dest or last operands are optional starts with a flags byte saying
// whether it is there, or how many. (No kind has both.)
constexpr bool HasOptionalPart(const OpFacts& facts) {
  return facts.dest == DestUse::MayAssign || facts.maxArgs > facts.minArgs;
}
constexpr int OptionalArgs(const OpFacts& facts, std::uint8_t flags) {
  return (flags & kOptionalCount) % (facts.maxArgs - facts.minArgs + 1);
}
static_assert(kMaxArgs < kOptionalCount + 1, "kOptionalCount counts every optional operand");
// std::none_of, not std::ranges::none_of: libc++ 14 (the libcxx preset, OSS-Fuzz) lacks it.
static_assert(std::none_of(kOpFacts.begin(), kOpFacts.end(), [](const OpFacts& facts) {
  return facts.dest == DestUse::MayAssign && facts.maxArgs > facts.minArgs;
}));
constexpr std::uint8_t kGcEnqueueNone = 1;
constexpr std::uint8_t kGcEnqueueEach = 2;
constexpr std::uint8_t kGcHoldWeak = 4;
constexpr std::uint8_t kTurnJobs = 1;
constexpr std::uint8_t kTurnLifo = 2;
constexpr std::uint8_t kTurnLimit = 4;
constexpr std::uint8_t kTurnRepost = 8;
constexpr int kRegistryNewTargetShift = 3;
constexpr std::uint8_t kRegistryNewTarget = 3 << kRegistryNewTargetShift;
constexpr std::uint8_t kRegistryCallbackArg = 32;
constexpr std::uint8_t kRegistryAsync = 64;

double CanonicalNaN() { return std::numeric_limits<double>::quiet_NaN(); }

// Reads the input. Past its end it returns zeros and remembers that the input was
// truncated, so a decoder reads a whole op and only then asks whether it was complete.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool AtEnd() const { return pos_ == bytes_.size(); }
  bool Truncated() const { return truncated_; }

  std::uint8_t Byte() {
    if (AtEnd()) {
      truncated_ = true;
      return 0;
    }
    return bytes_[pos_++];
  }

  std::uint64_t Varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t byte = Byte();
      value |= std::uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) break;
    }
    return value;
  }

  // n, for a count of things at least a byte long each: more than the bytes left
  // means the input ends among them.
  std::size_t Bounded(std::uint64_t n) {
    if (n > bytes_.size() - pos_) {
      truncated_ = true;
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  std::size_t Count() { return Bounded(Varint()); }

  std::string Bytes(std::size_t n) {  // n is Bounded
    const auto* first = reinterpret_cast<const char*>(bytes_.data() + pos_);
    pos_ += n;
    return std::string(first, n);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool truncated_ = false;
};

class Decoder {
 public:
  explicit Decoder(std::span<const std::uint8_t> bytes) : in_(bytes) {}

  Program Decode() {
    Program program;
    if (in_.AtEnd()) return program;
    const std::uint8_t header = in_.Byte();
    program.profile = (header & 1) != 0 ? Profile::Es2021 : Profile::Es2023;
    if ((header & 2) != 0) {
      program.callbackBudget = static_cast<int>(
          std::min<std::uint64_t>(in_.Varint(), static_cast<std::uint64_t>(kMaxCallbackBudget)));
    }
    while (!in_.AtEnd()) {
      std::optional<Op> op = DecodeOp(0);
      if (in_.Truncated()) break;
      if (op) program.ops.push_back(std::move(*op));
    }
    return program;
  }

 private:
  // An op of an op list at `depth` (0 = top level); nullopt when it is skipped. Its
  // parts come in the order its facts give: a flags byte when it has an optional part
  // (bit 0: present), the dest, the operands, then its payload or body.
  std::optional<Op> DecodeOp(int depth) {
    // A skipped op's body may have assigned handles (a repeat in a repeat): not so.
    const std::bitset<kHandleCount> assignedBefore = assigned_;
    Op op;
    op.kind = static_cast<OpKind>(in_.Byte() % kOpKindCount);
    const OpFacts& facts = FactsOf(op.kind);
    const std::uint8_t flags = HasOptionalPart(facts) ? in_.Byte() : 0;
    const bool optional = (flags & kPresent) != 0;
    std::optional<Handle> dest;
    bool keep = AllowedAt(op.kind, depth) && !(op.kind == OpKind::Repeat && inRepeat_);
    switch (facts.dest) {
      case DestUse::NoDest: break;
      case DestUse::MayAssign:
        if (optional) dest = in_.Byte();
        break;
      case DestUse::Assigns: dest = in_.Byte(); break;
      case DestUse::Names:
        op.dest = Resolve(in_.Byte());
        keep = keep && op.dest.has_value();  // skipped while no handle is assigned
        break;
    }
    DecodeOperands(op, facts.minArgs + OptionalArgs(facts, flags), depth);
    if (dest) op.dest = Assign(*dest);
    switch (facts.payload) {
      case Payload::None: break;
      case Payload::Description: DecodeDescription(op); break;
      case Payload::GcOptions: DecodeGc(op); break;
      case Payload::TurnOptions: DecodeTurn(op); break;
      case Payload::RegistryOptions: DecodeRegistry(op, flags); break;
      case Payload::RepeatCount:
        op.repeatCount = static_cast<std::uint32_t>(
            std::clamp<std::uint64_t>(in_.Varint(), 1, std::uint64_t{kMaxRepeat}));
        break;
    }
    if (facts.opensBody) DecodeBody(op, depth);
    if (!keep) {
      assigned_ = assignedBefore;
      return std::nullopt;
    }
    return op;
  }

  Handle Assign(Handle handle) {
    assigned_.set(handle);
    return handle;
  }

  // The handle a use of `handle` means: itself if assigned, else the next assigned
  // one above it, wrapping; nullopt while no handle is assigned.
  std::optional<Handle> Resolve(Handle handle) const {
    for (int step = 0; step < kHandleCount; ++step) {
      const auto candidate = static_cast<Handle>(handle + step);
      if (assigned_.test(candidate)) return candidate;
    }
    return std::nullopt;
  }

  void DecodeRegistry(Op& op, std::uint8_t flags) {
    const int newTarget = (flags & kRegistryNewTarget) >> kRegistryNewTargetShift;
    if (newTarget < 3) op.registryNewTarget = static_cast<RegistryNewTarget>(newTarget);
    if ((flags & kRegistryCallbackArg) != 0) {
      op.registryCallbackArg = true;
      op.args.resize(1, Value{Undefined{}});
    } else {
      op.registryAsync = (flags & kRegistryAsync) != 0;
    }
  }

  void DecodeDescription(Op& op) {
    const std::uint64_t n = in_.Varint();
    if (n > 0) op.description = in_.Bytes(in_.Bounded(n - 1));
  }

  void DecodeBody(Op& op, int depth) {
    const std::uint64_t count = in_.Varint();
    // No deeper bodies, and none for a callback operand: the count is ignored.
    if (depth == kMaxBodyDepth || op.registryCallbackArg) return;
    // A repeat's ops may read its `i`; a callback's are another function's.
    const bool inRepeat = std::exchange(inRepeat_, op.kind == OpKind::Repeat);
    // Every op takes a byte at least, so running out of input ends the loop.
    for (std::uint64_t i = 0; i < count && !in_.Truncated(); ++i) {
      if (std::optional<Op> inner = DecodeOp(BodyDepth(op, depth))) op.body.push_back(std::move(*inner));
    }
    inRepeat_ = inRepeat;
  }

  void DecodeOperands(Op& op, int count, int depth) {
    for (int i = 0; i < count; ++i) op.args.push_back(DecodeOperand(depth));
  }

  void DecodeGc(Op& op) {
    const std::uint8_t flags = in_.Byte();
    if ((flags & kGcEnqueueNone) != 0) {
      op.gcEnqueue = JobsEnqueued::None;
    } else if ((flags & kGcEnqueueEach) != 0) {
      op.gcEnqueue = JobsEnqueued::OnePerValue;
    }
    if ((flags & kGcHoldWeak) != 0) op.gcHold = JobHold::Weak;
    const std::size_t count = in_.Count();
    for (std::size_t i = 0; i < count; ++i) {
      op.gcOnly.push_back(static_cast<HeapId>(in_.Varint()));
    }
  }

  void DecodeTurn(Op& op) {
    const std::uint8_t flags = in_.Byte();
    if ((flags & kTurnJobs) != 0) {
      op.turnJobs.emplace();
      const std::size_t count = in_.Count();
      for (std::size_t i = 0; i < count; ++i) {
        op.turnJobs->push_back(static_cast<std::uint32_t>(in_.Varint()));
      }
    }
    if ((flags & kTurnLifo) != 0) op.turnOrder = CellOrder::Lifo;
    if ((flags & kTurnLimit) != 0) op.turnLimit = static_cast<std::uint32_t>(in_.Varint());
    op.turnRepost = (flags & kTurnRepost) != 0;
  }

  Operand DecodeOperand(int depth) {
    switch (in_.Byte() % kOperandTagCount) {
      case kHandle:
        if (std::optional<Handle> handle = Resolve(in_.Byte())) return HandleRef{*handle};
        return Value{Undefined{}};
      case kHeld:
        if (depth > 0) return HeldRef{};
        return Value{Undefined{}};
      case kIteration:
        if (inRepeat_) return IterationRef{};
        return Value{Undefined{}};
      case kUndefined: return Value{Undefined{}};
      case kNull: return Value{Null{}};
      case kFalse: return Value{false};
      case kTrue: return Value{true};
      case kSmallInteger: return Value{static_cast<double>(static_cast<std::int8_t>(in_.Byte()))};
      case kNumber: return Value{DecodeNumber()};
      case kString: return Value{String{in_.Bytes(in_.Count())}};
      case kBigInt: return Value{DecodeBigInt()};
      case kRegisteredSymbol: return Value{RegisteredSymbol{in_.Bytes(in_.Count())}};
      default:  // kWellKnownSymbol, the last tag
        return Value{WellKnownSymbol{std::string(WellKnownSymbolName(in_.Byte()))}};
    }
  }

  double DecodeNumber() {
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= std::uint64_t{in_.Byte()} << (8 * i);
    const auto number = std::bit_cast<double>(bits);
    return std::isnan(number) ? CanonicalNaN() : number;
  }

  BigInt DecodeBigInt() {
    const std::uint64_t header = in_.Varint();
    const std::size_t count = in_.Bounded(header >> 1);
    std::string digits;
    for (std::size_t i = 0; i < count; ++i) {
      const char digit = static_cast<char>('0' + in_.Byte() % 10);
      if (!digits.empty() || digit != '0') digits += digit;  // no leading zeros
    }
    if (digits.empty()) return BigInt{"0"};  // never -0
    return BigInt{((header & 1) != 0 ? "-" : "") + digits};
  }

  Reader in_;
  std::bitset<kHandleCount> assigned_;
  bool inRepeat_ = false;  // decoding a repeat's body (not a callback's within it)
};

class Writer {
 public:
  void Byte(std::uint8_t byte) { bytes_.push_back(byte); }

  void Varint(std::uint64_t value) {
    while (value >= 0x80) {
      Byte(static_cast<std::uint8_t>(value | 0x80));
      value >>= 7;
    }
    Byte(static_cast<std::uint8_t>(value));
  }

  void Raw(std::string_view bytes) { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }

  void Counted(std::string_view bytes) {
    Varint(bytes.size());
    Raw(bytes);
  }

  std::vector<std::uint8_t> Take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

std::uint8_t WellKnownSymbolIndex(std::string_view name) {
  for (std::size_t i = 0; i < WellKnownSymbolCount(); ++i) {
    if (WellKnownSymbolName(i) == name) return static_cast<std::uint8_t>(i);
  }
  return 0;  // not a well-known name: not a valid program
}

// Writes valid programs canonically. An invalid program still encodes to something
// (missing parts as h0 / undefined), which decodes to some valid program.
class Encoder {
 public:
  std::vector<std::uint8_t> Encode(const Program& program) {
    const bool budget = program.callbackBudget != kDefaultCallbackBudget;
    out_.Byte(static_cast<std::uint8_t>((program.profile == Profile::Es2021 ? 1 : 0) | (budget ? 2 : 0)));
    if (budget) out_.Varint(static_cast<std::uint64_t>(program.callbackBudget));
    for (const Op& op : program.ops) EncodeOp(op);
    return out_.Take();
  }

 private:
  void EncodeOp(const Op& op) {
    const OpFacts& facts = FactsOf(op.kind);
    out_.Byte(static_cast<std::uint8_t>(op.kind));
    const std::size_t args = std::clamp<std::size_t>(op.args.size(), facts.minArgs, facts.maxArgs);
    const bool dest = facts.dest != DestUse::MayAssign || op.dest.has_value();
    if (HasOptionalPart(facts)) {
      std::uint8_t flags = static_cast<std::uint8_t>(
          facts.dest == DestUse::MayAssign ? (dest ? kPresent : 0) : args - facts.minArgs);
      if (facts.payload == Payload::RegistryOptions) {
        flags |= static_cast<std::uint8_t>(static_cast<int>(op.registryNewTarget)
                                           << kRegistryNewTargetShift);
        if (op.registryCallbackArg) flags |= kRegistryCallbackArg;
        if (op.registryAsync && !op.registryCallbackArg) flags |= kRegistryAsync;
      }
      out_.Byte(flags);
    }
    if (facts.dest != DestUse::NoDest && dest) out_.Byte(op.dest.value_or(0));
    Operands(op, args);
    switch (facts.payload) {
      case Payload::None: break;
      case Payload::Description:
        if (op.description) {
          out_.Varint(std::uint64_t{op.description->size()} + 1);
          out_.Raw(*op.description);
        } else {
          out_.Varint(0);
        }
        break;
      case Payload::GcOptions: EncodeGc(op); break;
      case Payload::TurnOptions: EncodeTurn(op); break;
      case Payload::RegistryOptions: break;  // in the flags byte
      case Payload::RepeatCount: out_.Varint(op.repeatCount); break;
    }
    if (facts.opensBody) {
      out_.Varint(op.body.size());
      for (const Op& inner : op.body) EncodeOp(inner);
    }
  }

  void Operands(const Op& op, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      EncodeOperand(i < op.args.size() ? op.args[i] : Operand{Value{Undefined{}}});
    }
  }

  void EncodeGc(const Op& op) {
    std::uint8_t flags = 0;
    if (op.gcEnqueue == JobsEnqueued::None) flags |= kGcEnqueueNone;
    if (op.gcEnqueue == JobsEnqueued::OnePerValue) flags |= kGcEnqueueEach;
    if (op.gcHold == JobHold::Weak) flags |= kGcHoldWeak;
    out_.Byte(flags);
    out_.Varint(op.gcOnly.size());
    for (HeapId id : op.gcOnly) out_.Varint(id);
  }

  void EncodeTurn(const Op& op) {
    std::uint8_t flags = 0;
    if (op.turnJobs) flags |= kTurnJobs;
    if (op.turnOrder == CellOrder::Lifo) flags |= kTurnLifo;
    if (op.turnLimit) flags |= kTurnLimit;
    if (op.turnRepost) flags |= kTurnRepost;
    out_.Byte(flags);
    if (op.turnJobs) {
      out_.Varint(op.turnJobs->size());
      for (std::uint32_t job : *op.turnJobs) out_.Varint(job);
    }
    if (op.turnLimit) out_.Varint(*op.turnLimit);
  }

  void EncodeOperand(const Operand& operand) {
    std::visit(Overloaded{
                   [&](HandleRef ref) {
                     out_.Byte(kHandle);
                     out_.Byte(ref.handle);
                   },
                   [&](HeldRef) { out_.Byte(kHeld); },
                   [&](const Value& value) { EncodeLiteral(value); },
                   [&](IterationRef) { out_.Byte(kIteration); },
               },
               operand);
  }

  void EncodeLiteral(const Value& value) {
    std::visit(Overloaded{
                   [&](Undefined) { out_.Byte(kUndefined); },
                   [&](Null) { out_.Byte(kNull); },
                   [&](bool b) { out_.Byte(b ? kTrue : kFalse); },
                   [&](double d) { EncodeNumber(d); },
                   [&](const String& s) {
                     out_.Byte(kString);
                     out_.Counted(s.bytes);
                   },
                   [&](const BigInt& b) { EncodeBigInt(b); },
                   [&](const RegisteredSymbol& s) {
                     out_.Byte(kRegisteredSymbol);
                     out_.Counted(s.key);
                   },
                   [&](const WellKnownSymbol& s) {
                     out_.Byte(kWellKnownSymbol);
                     out_.Byte(WellKnownSymbolIndex(s.name));
                   },
                   // No literal form: a valid program never has these.
                   [&](UniqueSymbol) { out_.Byte(kUndefined); },
                   [&](ObjectRef) { out_.Byte(kUndefined); },
               },
               value);
  }

  void EncodeNumber(double d) {
    // The comparisons are false for NaN; infinities fall outside the range.
    if (d >= -128 && d <= 127 && d == std::trunc(d) && !(d == 0 && std::signbit(d))) {
      out_.Byte(kSmallInteger);
      out_.Byte(static_cast<std::uint8_t>(static_cast<std::int8_t>(d)));
      return;
    }
    out_.Byte(kNumber);
    const auto bits = std::bit_cast<std::uint64_t>(std::isnan(d) ? CanonicalNaN() : d);
    for (int i = 0; i < 8; ++i) out_.Byte(static_cast<std::uint8_t>(bits >> (8 * i)));
  }

  void EncodeBigInt(const BigInt& b) {
    const bool negative = b.decimal.starts_with('-');
    const std::string_view digits = std::string_view(b.decimal).substr(negative ? 1 : 0);
    out_.Byte(kBigInt);
    out_.Varint(std::uint64_t{digits.size()} * 2 + (negative ? 1 : 0));
    for (char digit : digits) out_.Byte(static_cast<std::uint8_t>(digit - '0'));
  }

  Writer out_;
};

}  // namespace

Program DecodeProgram(std::span<const std::uint8_t> bytes) { return Decoder(bytes).Decode(); }

std::vector<std::uint8_t> EncodeProgram(const Program& program) {
  return Encoder().Encode(program);
}

}  // namespace finrig
