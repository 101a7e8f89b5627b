#include "model/binary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <bitset>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model/op_facts.h"
#include "model/overloaded.h"
#include "model/program.h"
#include "model/text.h"
#include "model/value.h"
#include "model/test_support.h"

namespace finrig {
namespace {

using testing::MakeOp;

// ---- A structural dump: two programs are equal (all fields, SameValue for literals)
// exactly when their dumps are, and a failing comparison shows where they differ.

std::string Dump(const Operand& operand) {
  return std::visit(
      Overloaded{
          [](HandleRef ref) { return "h" + std::to_string(ref.handle); },
          [](HeldRef) { return std::string("held"); },
          [](IterationRef) { return std::string("i"); },
          // The index tells apart kinds that print alike (@N objects and symbols).
          [](const Value& v) { return ToText(v) + "/" + std::to_string(v.index()); },
      },
      operand);
}

void DumpOps(const std::vector<Op>& ops, const std::string& indent, std::string& out);

void DumpOp(const Op& op, const std::string& indent, std::string& out) {
  out += indent + std::string(OpKindName(op.kind));
  out += op.dest ? " dest=h" + std::to_string(*op.dest) : " nodest";
  out += " args=[";
  for (const Operand& arg : op.args) out += Dump(arg) + " ";
  out += "]";
  out += op.description ? " desc=" + EscapeString(*op.description) : " nodesc";
  out += " gc=[";
  for (HeapId id : op.gcOnly) out += std::to_string(id) + " ";
  out += "] enqueue=" + std::to_string(static_cast<int>(op.gcEnqueue));
  out += op.gcHold == JobHold::Weak ? " weak" : " strong";
  if (op.turnJobs) {
    out += " jobs=[";
    for (std::uint32_t job : *op.turnJobs) out += std::to_string(job) + " ";
    out += "]";
  } else {
    out += " alljobs";
  }
  out += op.turnOrder == CellOrder::Lifo ? " lifo" : " fifo";
  out += op.turnLimit ? " limit=" + std::to_string(*op.turnLimit) : " nolimit";
  out += op.turnRepost ? " repost" : " norepost";
  out += " expects=" + std::to_string(op.expects.size());
  out += " at=" + std::to_string(op.line) + ":" + std::to_string(op.column);
  for (const std::string& comment : op.comments) out += " #" + EscapeString(comment);
  out += " trailing=" + EscapeString(op.trailingComment);
  out += " body=" + std::to_string(op.body.size()) + "\n";
  DumpOps(op.body, indent + "  ", out);
}

void DumpOps(const std::vector<Op>& ops, const std::string& indent, std::string& out) {
  for (const Op& op : ops) DumpOp(op, indent, out);
}

std::string Dump(const Program& program) {
  std::string out = std::string(ProfileName(program.profile)) + "\n";
  DumpOps(program.ops, "", out);
  out += "trailing comments=" + std::to_string(program.trailingComments.size()) + "\n";
  return out;
}

// ---- Validity: what the .fr parser accepts (docs/LANGUAGE.md, model/program.h).

class Checker {
 public:
  // Decoded programs also have the one canonical NaN; programs in general may have any.
  explicit Checker(bool decoded) : decoded_(decoded) {}

  // The first problem found, or "" for a valid program.
  std::string Check(const Program& program) {
    if (!program.trailingComments.empty()) return "trailing comments";
    CheckOps(program.ops, 0, false);
    return problem_;
  }

 private:
  void Fail(const Op& op, const std::string& what) {
    if (problem_.empty()) problem_ = std::string(OpKindName(op.kind)) + ": " + what;
  }

  void CheckOps(const std::vector<Op>& ops, int depth, bool inRepeat) {
    for (const Op& op : ops) CheckOp(op, depth, inRepeat);
  }

  void CheckOp(const Op& op, int depth, bool inRepeat) {
    if (!op.expects.empty() || op.line != 0 || op.column != 0 || !op.comments.empty() ||
        !op.trailingComment.empty()) {
      Fail(op, "source-only fields set");
    }
    const auto arity = op.args.size();
    bool arityOk = false;
    enum { kNone, kOptional, kRequired } dest = kNone;
    switch (op.kind) {
      case OpKind::NewObject:
      case OpKind::NewSymbol:
      case OpKind::NewWeakMap:
      case OpKind::NewWeakSet:
        arityOk = arity == 0;
        dest = kRequired;
        break;
      case OpKind::NewRegistry:  // its captures
        arityOk = arity <= kMaxArgs;
        dest = kRequired;
        break;
      case OpKind::Assign:
      case OpKind::NewWeakRef:
        arityOk = arity == 1;
        dest = kRequired;
        break;
      case OpKind::Deref:
        arityOk = arity == 1;
        dest = kOptional;
        break;
      case OpKind::WeakMapGet:
        arityOk = arity == 2;
        dest = kOptional;
        break;
      case OpKind::WeakMapSet: arityOk = arity == 3; break;
      case OpKind::Register: arityOk = arity == 3 || arity == 4; break;
      case OpKind::WeakHas:
      case OpKind::WeakDelete:
      case OpKind::WeakSetAdd:
      case OpKind::Unregister:
      case OpKind::Link:
      case OpKind::Unlink: arityOk = arity == 2; break;
      case OpKind::Drop:
        arityOk = arity == 0;
        dest = kRequired;
        break;
      case OpKind::Gc: arityOk = arity == 0; break;
      case OpKind::Turn:
        arityOk = arity == 0;
        if (depth > 0) Fail(op, "turn in a body");
        break;
      case OpKind::Throw:
        arityOk = arity <= 1;
        if (depth == 0) Fail(op, "throw at top level");
        break;
      case OpKind::Then: arityOk = arity == 0; break;
      case OpKind::Repeat:
        arityOk = arity == 0;
        if (depth > 0) Fail(op, "repeat in a body");
        if (inRepeat) Fail(op, "repeat in a repeat");
        if (op.repeatCount == 0 || op.repeatCount > kMaxRepeat) Fail(op, "repeat count");
        break;
    }
    if (!arityOk) Fail(op, "arity " + std::to_string(arity));
    if (dest == kRequired && !op.dest) Fail(op, "no dest");
    if (dest == kNone && op.dest) Fail(op, "unexpected dest");
    if (op.description && op.kind != OpKind::NewSymbol) Fail(op, "description");
    if (!op.body.empty() && !FactsOf(op.kind).opensBody) {
      Fail(op, "body");
    }
    if ((!op.gcOnly.empty() || op.gcEnqueue != JobsEnqueued::OnePerRegistry ||
         op.gcHold != JobHold::Strong) &&
        op.kind != OpKind::Gc) {
      Fail(op, "gc options");
    }
    if ((op.turnJobs || op.turnLimit || op.turnOrder != CellOrder::Fifo || op.turnRepost) &&
        op.kind != OpKind::Turn) {
      Fail(op, "turn options");
    }

    for (const Operand& arg : op.args) CheckOperand(op, arg, depth, inRepeat);
    if (op.kind == OpKind::Drop) {
      if (op.dest && !assigned_.test(*op.dest)) Fail(op, "drop of an unassigned handle");
    } else if (op.dest) {
      assigned_.set(*op.dest);
    }
    if (op.kind == OpKind::Repeat) {
      CheckOps(op.body, depth, true);
    } else if (!op.body.empty()) {
      if (depth + 1 > kMaxBodyDepth) Fail(op, "body too deep");
      CheckOps(op.body, depth + 1, false);
    }
  }

  void CheckOperand(const Op& op, const Operand& operand, int depth, bool inRepeat) {
    if (const auto* ref = std::get_if<HandleRef>(&operand)) {
      if (!assigned_.test(ref->handle)) {
        Fail(op, "use of unassigned h" + std::to_string(ref->handle));
      }
    } else if (std::holds_alternative<HeldRef>(operand)) {
      if (depth == 0) Fail(op, "held at top level");
    } else if (std::holds_alternative<IterationRef>(operand)) {
      if (!inRepeat) Fail(op, "i outside a repeat");
    } else {
      CheckLiteral(op, std::get<Value>(operand));
    }
  }

  void CheckLiteral(const Op& op, const Value& value) {
    if (std::holds_alternative<ObjectRef>(value) || std::holds_alternative<UniqueSymbol>(value)) {
      Fail(op, "identity literal");
    }
    if (const double* d = std::get_if<double>(&value)) {
      const double canonical = std::numeric_limits<double>::quiet_NaN();
      if (decoded_ && std::isnan(*d) &&
          std::bit_cast<std::uint64_t>(*d) != std::bit_cast<std::uint64_t>(canonical)) {
        Fail(op, "NaN not canonical");
      }
    }
    if (const auto* b = std::get_if<BigInt>(&value)) {
      const std::string& s = b->decimal;
      const std::string digits = s.starts_with('-') ? s.substr(1) : s;
      const bool allDigits =
          !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
      if (!allDigits || (digits.size() > 1 && digits[0] == '0') || s == "-0") {
        Fail(op, "BigInt not canonical: " + s);
      }
    }
    if (const auto* w = std::get_if<WellKnownSymbol>(&value)) {
      if (!IsWellKnownSymbolName(w->name)) Fail(op, "well-known symbol " + w->name);
    }
  }

  bool decoded_;
  std::bitset<kHandleCount> assigned_;
  std::string problem_;
};

std::string CheckValid(const Program& program) { return Checker(false).Check(program); }
std::string CheckDecoded(const Program& program) { return Checker(true).Check(program); }

// ---- Building programs by hand.

Operand H(int handle) { return HandleRef{static_cast<Handle>(handle)}; }
Operand L(Value value) { return value; }
Operand Held() { return HeldRef{}; }
Operand Num(double d) { return Value{d}; }
Operand Str(std::string bytes) { return Value{String{std::move(bytes)}}; }
Operand Big(std::string decimal) { return Value{BigInt{std::move(decimal)}}; }

Op Registry(Handle dest, std::vector<Op> body = {}) {
  Op op = MakeOp(OpKind::NewRegistry, dest);
  op.body = std::move(body);
  return op;
}

Op Turn(std::optional<std::vector<std::uint32_t>> jobs, CellOrder order,
        std::optional<std::uint32_t> limit, bool repost = false) {
  Op op = MakeOp(OpKind::Turn);
  op.turnJobs = std::move(jobs);
  op.turnOrder = order;
  op.turnLimit = limit;
  op.turnRepost = repost;
  return op;
}

Op Gc(std::vector<HeapId> ids, JobsEnqueued enqueue = JobsEnqueued::OnePerRegistry,
      JobHold hold = JobHold::Strong) {
  Op op = MakeOp(OpKind::Gc);
  op.gcOnly = std::move(ids);
  op.gcEnqueue = enqueue;
  op.gcHold = hold;
  return op;
}

Op Symbol(Handle dest, std::optional<std::string> description) {
  Op op = MakeOp(OpKind::NewSymbol, dest);
  op.description = std::move(description);
  return op;
}

// Every op kind, operand kind, optional part and turn/gc option, top level and in bodies.
Program EveryOpProgram() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  Program p;
  p.profile = Profile::Es2021;
  p.ops = {
      MakeOp(OpKind::NewObject, 0),
      Symbol(1, std::nullopt),
      Symbol(2, "desc"),
      Symbol(3, ""),  // an empty description is not the same as none
      Symbol(255, std::string("\0\xff\x80 long", 8)),
      Registry(4),
      MakeOp(OpKind::NewWeakRef, 6, {H(0)}),
      MakeOp(OpKind::Deref, std::nullopt, {H(6)}),
      MakeOp(OpKind::Deref, 7, {H(6)}),
      MakeOp(OpKind::Assign, 8, {H(7)}),
      MakeOp(OpKind::Register, std::nullopt, {H(4), H(0), Str("held")}),
      MakeOp(OpKind::Register, std::nullopt, {H(4), H(0), H(1), H(2)}),
      MakeOp(OpKind::Unregister, std::nullopt, {H(4), H(2)}),
      MakeOp(OpKind::Link, std::nullopt, {H(0), H(1)}),
      MakeOp(OpKind::Unlink, std::nullopt, {H(0), H(1)}),
      MakeOp(OpKind::Drop, 0),
      Gc({}),
      Gc({0, 5, 127, 128, 4294967295u}),
      Gc({}, JobsEnqueued::None),
      Gc({}, JobsEnqueued::OnePerValue),
      Gc({}, JobsEnqueued::OnePerRegistry, JobHold::Weak),
      Gc({1}, JobsEnqueued::OnePerValue, JobHold::Weak),
      Gc({}, JobsEnqueued::None, JobHold::Weak),
      Turn(std::nullopt, CellOrder::Fifo, std::nullopt),
      Turn(std::vector<std::uint32_t>{}, CellOrder::Fifo, std::nullopt),
      Turn(std::vector<std::uint32_t>{1, 0, 300, 4294967295u}, CellOrder::Fifo, std::nullopt),
      Turn(std::nullopt, CellOrder::Lifo, std::nullopt),
      Turn(std::nullopt, CellOrder::Fifo, 0),
      Turn(std::vector<std::uint32_t>{2}, CellOrder::Lifo, 70000),
      Turn(std::nullopt, CellOrder::Fifo, std::nullopt, true),
      Turn(std::vector<std::uint32_t>{0}, CellOrder::Lifo, 1, true),
  };
  // Bodies nested to the deepest level, using held, throw, outer handles and the
  // registry's own handle from inside its callback.
  const std::vector<Op> depth4 = {
      MakeOp(OpKind::Assign, 14, {Held()}),
      MakeOp(OpKind::Drop, 14),
      MakeOp(OpKind::Link, std::nullopt, {H(0), H(13)}),
      MakeOp(OpKind::Throw, std::nullopt, {H(12)}),
  };
  const std::vector<Op> depth2 = {
      Registry(12, {Registry(13, depth4)}),
      MakeOp(OpKind::NewObject, 15),
  };
  const std::vector<Op> depth1 = {
      MakeOp(OpKind::Register, std::nullopt, {H(10), Held(), Held(), Held()}),
      MakeOp(OpKind::Throw),
      MakeOp(OpKind::Throw, std::nullopt, {Held()}),
      MakeOp(OpKind::Throw, std::nullopt, {Str("x")}),
      Gc({3}),
      Registry(11, depth2),
      Registry(16),
  };
  p.ops.push_back(Registry(10, depth1));
  p.ops.push_back(MakeOp(OpKind::Assign, 20, {H(14)}));
  // One assignment per literal, each kind and each encoding boundary.
  const std::vector<Value> literals = {
      Undefined{}, Null{}, true, false, 0.0, -0.0, 1.0, -1.0, 127.0, -128.0, 128.0, -129.0,
      0.5, 1.5, -2e-7, 0.1, 1e300, 5e-324, 1e21, nan, -nan, inf, -inf,
      String{""}, String{"hello"}, String{std::string("a\0b\xff\"\\\n", 7)},
      String{std::string(200, 'z')}, BigInt{"0"}, BigInt{"7"}, BigInt{"-3"}, BigInt{"-1000"},
      BigInt{"123456789012345678901234567890123456789012345678901234567890123456789"},
      RegisteredSymbol{""}, RegisteredSymbol{"key"},
  };
  for (const Value& v : literals) p.ops.push_back(MakeOp(OpKind::Assign, 21, {L(v)}));
  for (std::size_t i = 0; i < WellKnownSymbolCount(); ++i) {
    p.ops.push_back(MakeOp(OpKind::Assign, 22,
                           {L(WellKnownSymbol{std::string(WellKnownSymbolName(i))})}));
  }
  return p;
}

Program SmallProgram() {  // the example of docs/LANGUAGE.md
  Program p;
  p.ops = {
      MakeOp(OpKind::NewObject, 0),
      Registry(1),
      MakeOp(OpKind::Register, std::nullopt, {H(1), H(0), Str("held"), H(0)}),
      MakeOp(OpKind::Drop, 0),
      Gc({}),
      Turn(std::nullopt, CellOrder::Fifo, std::nullopt),
  };
  return p;
}

Program Decode(const std::vector<std::uint8_t>& bytes) { return DecodeProgram(bytes); }

// ---- Round trips of hand-built programs.

// The .fr parser is the reference for validity: what it reads back from the canonical
// text of a program, stripped of source positions, is that program.
std::string ReadBackAsText(const Program& program) {
  try {
    return Dump(StripToSemantics(ParseProgram(PrintProgram(program))));
  } catch (const ParseError& e) {
    return std::string("parse error: ") + e.what() + "\n" + PrintProgram(program);
  }
}

TEST(BinaryTest, HandBuiltProgramsAreValid) {
  for (const Program& p : {EveryOpProgram(), SmallProgram()}) {
    EXPECT_EQ(CheckValid(p), "");
    EXPECT_EQ(ReadBackAsText(p), Dump(p));
  }
}

TEST(BinaryTest, DecodeOfEncodeIsIdentity) {
  for (const Program& p : {EveryOpProgram(), SmallProgram()}) {
    const Program back = Decode(EncodeProgram(p));
    EXPECT_EQ(Dump(back), Dump(p));
    EXPECT_EQ(CheckDecoded(back), "");
  }
}

TEST(BinaryTest, NaNIsCanonical) {
  const auto canonicalBits = std::bit_cast<std::uint64_t>(std::numeric_limits<double>::quiet_NaN());
  // `h0 = <number>` with a negative signalling NaN with a payload, little endian.
  const Program p = Decode({0, 2, 0, 7, 0x01, 0, 0, 0, 0, 0, 0xf0, 0xff});
  ASSERT_EQ(p.ops.size(), 1u);
  const double d = std::get<double>(std::get<Value>(p.ops[0].args[0]));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(d), canonicalBits);
  EXPECT_EQ(CheckDecoded(p), "");
  // And the encoder writes every NaN as the canonical one.
  Program q;
  q.ops = {MakeOp(OpKind::Assign, 0, {Num(-std::numeric_limits<double>::quiet_NaN())})};
  EXPECT_EQ(EncodeProgram(q), EncodeProgram(p));
}

TEST(BinaryTest, DropsSourceOnlyFields) {
  Program p = SmallProgram();
  p.trailingComments = {" the end"};
  p.ops[0].line = 3;
  p.ops[0].column = 1;
  p.ops[0].comments = {" a target"};
  p.ops[0].trailingComment = " trailing";
  p.ops[4].expects.push_back(Expectation{ExpectCollected{{0}}, 5});
  Op& registry = p.ops[1];
  registry.body.push_back(MakeOp(OpKind::Throw));
  registry.body[0].expects.push_back(Expectation{ExpectOk{}, 7});
  registry.body[0].comments = {" inside"};
  EXPECT_EQ(Dump(Decode(EncodeProgram(p))), Dump(StripToSemantics(p)));
}

TEST(BinaryTest, CommonCasesAreShort) {
  Program p;
  p.ops = {MakeOp(OpKind::NewObject, 0), MakeOp(OpKind::Link, std::nullopt, {H(0), H(0)})};
  // header; object h0; link with two 2-byte handle operands
  EXPECT_EQ(EncodeProgram(p), (std::vector<std::uint8_t>{0, 0, 0, 8, 0, 0, 0, 0}));
}

// ---- Totality and canonical form on arbitrary bytes.

TEST(BinaryTest, EmptyInputIsEmptyEs2023Program) {
  const Program p = DecodeProgram({});
  EXPECT_EQ(p.profile, Profile::Es2023);
  EXPECT_TRUE(p.ops.empty());
  EXPECT_EQ(EncodeProgram(p), std::vector<std::uint8_t>{0});
}

TEST(BinaryTest, HeaderLowBitIsProfile) {
  EXPECT_EQ(Decode({0x00}).profile, Profile::Es2023);
  EXPECT_EQ(Decode({0x01}).profile, Profile::Es2021);
  EXPECT_EQ(Decode({0xfc}).profile, Profile::Es2023);
  EXPECT_EQ(Decode({0xfd}).profile, Profile::Es2021);
}

// Bit 1: a varint callback budget follows, capped at kMaxCallbackBudget; else the default.
TEST(BinaryTest, HeaderBitOneIsTheBudget) {
  EXPECT_EQ(Decode({0x00}).callbackBudget, kDefaultCallbackBudget);
  EXPECT_EQ(Decode({0x03, 7}).callbackBudget, 7);
  EXPECT_EQ(Decode({0x02, 0}).callbackBudget, 0);
  EXPECT_EQ(Decode({0x02, 0xff, 0xff, 0xff, 0xff, 0x0f}).callbackBudget, kMaxCallbackBudget);
  EXPECT_EQ(Decode({0x02}).callbackBudget, 0);  // truncated: the input ends, nothing follows
  Program p{.profile = Profile::Es2021, .callbackBudget = 300, .ops = {Op{.kind = OpKind::NewObject, .dest = 0}}};
  EXPECT_EQ(EncodeProgram(p), (std::vector<std::uint8_t>{0x03, 0xac, 0x02, 0, 0}));
  EXPECT_EQ(Decode(EncodeProgram(p)).callbackBudget, 300);
  p.callbackBudget = kDefaultCallbackBudget;
  EXPECT_EQ(EncodeProgram(p), (std::vector<std::uint8_t>{0x01, 0, 0}));
}

// Counts what random inputs reach, to know the test exercises the decoder.
struct Coverage {
  std::bitset<kOpKindCount> kindsAtTop;
  std::bitset<kOpKindCount> kindsInBodies;
  std::bitset<16> literalKinds;  // Value indices
  int deepest = 0;               // programs nesting bodies kMaxBodyDepth deep
  int handleOperands = 0;
  int heldOperands = 0;
  int iterationOperands = 0;

  void Add(const Program& program) {
    if (Add(program.ops, 0) == kMaxBodyDepth) ++deepest;
  }

  // Returns the depth of the deepest body.
  int Add(const std::vector<Op>& ops, int depth) {
    int maxDepth = depth;
    for (const Op& op : ops) {
      (depth == 0 ? kindsAtTop : kindsInBodies).set(static_cast<int>(op.kind));
      for (const Operand& arg : op.args) {
        if (std::holds_alternative<HandleRef>(arg)) ++handleOperands;
        if (std::holds_alternative<HeldRef>(arg)) ++heldOperands;
        if (std::holds_alternative<IterationRef>(arg)) ++iterationOperands;
        if (const Value* v = std::get_if<Value>(&arg)) literalKinds.set(v->index());
      }
      if (!op.body.empty()) maxDepth = std::max(maxDepth, Add(op.body, BodyDepth(op, depth)));
    }
    return maxDepth;
  }
};

TEST(BinaryTest, RandomBytesDecodeToValidProgramsAndEncodeCanonically) {
  std::mt19937 rng(20240601);
  Coverage coverage;
  for (int i = 0; i < 20000; ++i) {
    // Mostly small bytes, so that counts and lengths often fit in the input and bodies
    // nest (uniform bytes rarely get past a few ops); a fifth anything.
    const std::size_t length = std::uniform_int_distribution<std::size_t>(0, 300)(rng);
    std::vector<std::uint8_t> bytes(length);
    for (std::uint8_t& b : bytes) {
      const unsigned range[] = {4, 4, 16, 16, 256};
      b = static_cast<std::uint8_t>(rng() % range[rng() % 5]);
    }
    SCOPED_TRACE("input #" + std::to_string(i));

    const Program decoded = DecodeProgram(bytes);
    ASSERT_EQ(CheckDecoded(decoded), "");
    if (i % 10 == 0) {  // parsing is slow
      ASSERT_EQ(ReadBackAsText(decoded), Dump(decoded));
    }
    coverage.Add(decoded);

    const std::vector<std::uint8_t> encoded = EncodeProgram(decoded);
    const Program again = DecodeProgram(encoded);
    ASSERT_EQ(Dump(again), Dump(decoded));
    ASSERT_EQ(EncodeProgram(again), encoded);
  }
  EXPECT_EQ(coverage.kindsAtTop.count(), kOpKindCount - 1u) << coverage.kindsAtTop;
  EXPECT_FALSE(coverage.kindsAtTop.test(static_cast<int>(OpKind::Throw)));
  EXPECT_EQ(coverage.kindsInBodies.count(), kOpKindCount - 2u) << coverage.kindsInBodies;
  EXPECT_FALSE(coverage.kindsInBodies.test(static_cast<int>(OpKind::Turn)));
  EXPECT_FALSE(coverage.kindsInBodies.test(static_cast<int>(OpKind::Repeat)));
  EXPECT_GT(coverage.deepest, 20);
  EXPECT_EQ(coverage.literalKinds.count(), 8u) << coverage.literalKinds;  // all but @N kinds
  EXPECT_GT(coverage.handleOperands, 1000);
  EXPECT_GT(coverage.heldOperands, 100);
  EXPECT_GT(coverage.iterationOperands, 20);
}

// ---- Truncation: the input ends inside an op.

void ExpectPrefixesDecodeToPrefixes(const Program& program) {
  const std::vector<std::uint8_t> bytes = EncodeProgram(program);
  std::size_t lastCount = 0;
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    SCOPED_TRACE("prefix of " + std::to_string(n) + " bytes");
    const Program decoded = DecodeProgram(std::span(bytes).first(n));
    ASSERT_LE(decoded.ops.size(), program.ops.size());
    ASSERT_GE(decoded.ops.size(), lastCount);
    lastCount = decoded.ops.size();
    Program expected = StripToSemantics(program);
    if (n == 0) expected.profile = Profile::Es2023;
    expected.ops.resize(decoded.ops.size());
    ASSERT_EQ(Dump(decoded), Dump(expected));
  }
  EXPECT_EQ(lastCount, program.ops.size());
}

TEST(BinaryTest, EveryPrefixDecodesToAPrefixOfTheOps) {
  ExpectPrefixesDecodeToPrefixes(EveryOpProgram());
  ExpectPrefixesDecodeToPrefixes(SmallProgram());
}

TEST(BinaryTest, OversizedCountsTruncate) {
  // A string operand claiming 1000 bytes where there are 3: the op is dropped.
  EXPECT_TRUE(Decode({0, 2, 0, 8, 0xe8, 0x07, 'a', 'b', 'c'}).ops.empty());
  // gc with 5 ids and only 2 left; a BigInt of 100 digits with 1 left.
  EXPECT_TRUE(Decode({0, 11, 0, 5, 1, 2}).ops.empty());
  EXPECT_TRUE(Decode({0, 2, 0, 9, 200, 1, 7}).ops.empty());
  // A registry body that runs out drops the registry and ends the program.
  EXPECT_TRUE(Decode({0, 3, 0, 0, 5, 0, 1, 0, 2}).ops.empty());
}

// The host choices a gc and a turn state are bits of their flags byte; of the two
// enqueue bits, "none" wins, and the encoder writes that case with its bit alone.
TEST(BinaryTest, ChoiceFlags) {
  const auto gc = [](std::uint8_t flags) { return Decode({0, 11, flags, 0}).ops.at(0); };
  EXPECT_EQ(gc(0).gcEnqueue, JobsEnqueued::OnePerRegistry);
  EXPECT_EQ(gc(1).gcEnqueue, JobsEnqueued::None);
  EXPECT_EQ(gc(2).gcEnqueue, JobsEnqueued::OnePerValue);
  EXPECT_EQ(gc(3).gcEnqueue, JobsEnqueued::None);
  EXPECT_EQ(gc(4).gcHold, JobHold::Weak);
  EXPECT_EQ(gc(0xf8).gcHold, JobHold::Strong);  // other bits ignored
  EXPECT_EQ(gc(0xf8).gcEnqueue, JobsEnqueued::OnePerRegistry);
  Program p;
  p.ops = {gc(3)};
  EXPECT_EQ(EncodeProgram(p), (std::vector<std::uint8_t>{0, 11, 1, 0}));
  EXPECT_TRUE(Decode({0, 12, 8}).ops.at(0).turnRepost);
  EXPECT_FALSE(Decode({0, 12, 7, 0, 0}).ops.at(0).turnRepost);
}

// A registry's flags byte counts its captures, modulo one more than it may have.
TEST(BinaryTest, RegistryCapturesCount) {
  // h0 = object; h1 = registry with (flags) captures of h0, no body.
  const auto registry = [](std::uint8_t flags) {
    std::vector<std::uint8_t> bytes = {0, 0, 0, 3, flags, 1};
    for (int i = 0; i < (flags & 7) % 5; ++i) bytes.insert(bytes.end(), {0, 0});
    bytes.push_back(0);
    return Decode(bytes).ops.at(1);
  };
  EXPECT_TRUE(registry(0).args.empty());
  EXPECT_EQ(registry(2).args, (std::vector<Operand>{HandleRef{0}, HandleRef{0}}));
  EXPECT_EQ(registry(4).args.size(), 4u);
  EXPECT_EQ(registry(5).args.size(), 0u);  // 5 % 5
  EXPECT_EQ(registry(0x81).args.size(), 1u);  // bit 7 ignored
  Program p;
  p.ops = {Op{.kind = OpKind::NewObject, .dest = 0}, registry(0x81)};
  EXPECT_EQ(EncodeProgram(p), (std::vector<std::uint8_t>{0, 0, 0, 3, 1, 1, 0, 0, 0}));
  // A capture of the registry's own handle is read before the handle is assigned.
  EXPECT_EQ(Decode({0, 3, 1, 1, 0, 1, 0}).ops.at(0).args,
            (std::vector<Operand>{Value{Undefined{}}}));
}

// Bits 3-4 of a registry's flags are its NewTarget, bit 5 says its first operand is
// the callback: then the other operands and the body are dropped.
TEST(BinaryTest, RegistryConstructorFlags) {
  const auto registry = [](std::vector<std::uint8_t> bytes) { return Decode(bytes).ops.at(0); };
  EXPECT_EQ(registry({0, 3, 0x08, 0, 0}).registryNewTarget, RegistryNewTarget::Undefined);
  EXPECT_EQ(registry({0, 3, 0x10, 0, 0}).registryNewTarget, RegistryNewTarget::Throwing);
  EXPECT_EQ(registry({0, 3, 0x18, 0, 0}).registryNewTarget, RegistryNewTarget::Constructor);
  // 2 operands (null, true) and a body count of 1, which is ignored: `h1 = object`
  // follows at the top level.
  const Program two = Decode({0, 3, 0x22, 0, 3, 5, 1, 0, 1});
  ASSERT_EQ(two.ops.size(), 2u);
  const Op& callback = two.ops[0];
  EXPECT_TRUE(callback.registryCallbackArg);
  EXPECT_EQ(callback.args, (std::vector<Operand>{Value{Null{}}}));
  EXPECT_TRUE(callback.body.empty());
  EXPECT_EQ(two.ops[1].kind, OpKind::NewObject);
  EXPECT_EQ(registry({0, 3, 0x20, 0, 0}).args, (std::vector<Operand>{Value{Undefined{}}}));
  Program p;
  p.ops = {registry({0, 3, 0x31, 0, 6, 1, 0})};
  EXPECT_EQ(EncodeProgram(p), (std::vector<std::uint8_t>{0, 3, 0x31, 0, 6, 1, 0}));
}

// Bit 6 makes the callback async; a callback operand is no function, so not async.
TEST(BinaryTest, RegistryAsyncFlag) {
  const auto registry = [](std::vector<std::uint8_t> bytes) { return Decode(bytes).ops.at(0); };
  EXPECT_TRUE(registry({0, 3, 0x40, 0, 0}).registryAsync);
  EXPECT_FALSE(registry({0, 3, 0x00, 0, 0}).registryAsync);
  const Op callback = registry({0, 3, 0x60, 0, 0});
  EXPECT_TRUE(callback.registryCallbackArg);
  EXPECT_FALSE(callback.registryAsync);
  Program p;
  p.ops = {registry({0, 3, 0x48, 0, 1, 13, 0})};  // newtarget undefined async { throw }
  EXPECT_EQ(p.ops[0].registryNewTarget, RegistryNewTarget::Undefined);
  EXPECT_TRUE(p.ops[0].registryAsync);
  ASSERT_EQ(p.ops[0].body.size(), 1u);
  EXPECT_EQ(p.ops[0].body[0].kind, OpKind::Throw);
  EXPECT_EQ(EncodeProgram(p), (std::vector<std::uint8_t>{0, 3, 0x48, 0, 1, 13, 0}));
}

// ---- The documented mappings of constructs invalid where they stand.

TEST(BinaryTest, UnassignedHandleUsesNextAssignedOrUndefined) {
  // `h0 = h9` with nothing assigned: the operand is undefined.
  Program p = Decode({0, 2, 0, 0, 9});
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(Dump(p.ops[0].args[0]), Dump(L(Undefined{})));
  // h5 and h200 assigned: h9 -> h200, h250 -> h5 (wrapping), h5 -> h5.
  p = Decode({0, 0, 5, 0, 200, 8, 0, 9, 0, 250, 8, 0, 5, 0, 5});
  ASSERT_EQ(p.ops.size(), 4u);
  EXPECT_EQ(Dump(p.ops[2].args[0]) + Dump(p.ops[2].args[1]), "h200h5");
  EXPECT_EQ(Dump(p.ops[3].args[0]) + Dump(p.ops[3].args[1]), "h5h5");
  // An op's own dest is not assigned yet when its operands decode.
  p = Decode({0, 4, 7, 0, 7});
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(Dump(p.ops[0].args[0]), Dump(L(Undefined{})));
}

TEST(BinaryTest, DropOfUnassignedHandle) {
  // Nothing assigned: skipped. Then `h3 = object`, `drop h1` drops h3.
  const Program p = Decode({0, 10, 1, 0, 3, 10, 1});
  ASSERT_EQ(p.ops.size(), 2u);
  EXPECT_EQ(p.ops[1].kind, OpKind::Drop);
  EXPECT_EQ(p.ops[1].dest, Handle{3});
}

TEST(BinaryTest, HeldAtTopLevelIsUndefined) {
  const Program p = Decode({0, 2, 0, 1});
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(Dump(p.ops[0].args[0]), Dump(L(Undefined{})));
}

TEST(BinaryTest, ThrowAtTopLevelAndTurnInBodyAreSkipped) {
  // throw "ab" at top level; then h0 = registry { turn jobs 1 limit 2; throw }; gc
  const Program p = Decode({0, 13, 1, 8, 2, 'a', 'b', 3, 0, 0, 2, 12, 5, 1, 1, 2, 13, 0, 11, 0, 0});
  ASSERT_EQ(p.ops.size(), 2u);
  EXPECT_EQ(p.ops[0].kind, OpKind::NewRegistry);
  ASSERT_EQ(p.ops[0].body.size(), 1u);
  EXPECT_EQ(p.ops[0].body[0].kind, OpKind::Throw);
  EXPECT_EQ(p.ops[1].kind, OpKind::Gc);
}

TEST(BinaryTest, TooDeepRegistryHasNoBody) {
  // Registries h0 { h1 { h2 { h3 { h4 {count 2} object h5; object h6 } } } }: h4 sits in
  // the depth-4 body, so its count is ignored and h5, h6 become its siblings.
  const Program p =
      Decode({0, 3, 0, 0, 1, 3, 0, 1, 1, 3, 0, 2, 1, 3, 0, 3, 3, 3, 0, 4, 2, 0, 5, 0, 6});
  ASSERT_EQ(CheckDecoded(p), "");
  ASSERT_EQ(p.ops.size(), 1u);
  const std::vector<Op>& deepest = p.ops[0].body[0].body[0].body[0].body;
  ASSERT_EQ(deepest.size(), 3u);
  EXPECT_TRUE(deepest[0].body.empty());
  EXPECT_EQ(deepest[1].dest, Handle{5});
  EXPECT_EQ(deepest[2].dest, Handle{6});
}

TEST(BinaryTest, ValuesDecodeCanonically) {
  // BigInt -007 is -7n; -000 is 0n; the well-known index wraps; the int8 form.
  Program p = Decode({0, 2, 0, 9, 7, 0, 0, 7, 2, 0, 9, 7, 0, 0, 0, 2, 0, 11, 13, 2, 0, 6, 0xff});
  ASSERT_EQ(p.ops.size(), 4u);
  EXPECT_EQ(Dump(p.ops[0].args[0]), Dump(Big("-7")));
  EXPECT_EQ(Dump(p.ops[1].args[0]), Dump(Big("0")));
  EXPECT_EQ(Dump(p.ops[2].args[0]), Dump(L(WellKnownSymbol{std::string(WellKnownSymbolName(0))})));
  EXPECT_EQ(Dump(p.ops[3].args[0]), Dump(Num(-1)));
}

}  // namespace
}  // namespace finrig
