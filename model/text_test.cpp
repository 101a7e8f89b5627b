// The .fr reader and printer: canonical text round-trips byte for byte, parsed programs
// have the fields program.h describes, every error class is located exactly, and no
// input makes the reader fail in any way but a ParseError.

#include "model/text.h"

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "model/op_facts.h"
#include "model/test_support.h"

namespace finrig {
namespace {

using testing::MakeOp;

Program Parse(std::string_view text) { return ParseProgram(text, "t.fr"); }

// Canonical text reads back and prints as the same bytes.
void ExpectCanonical(std::string_view text) {
  SCOPED_TRACE(text);
  EXPECT_EQ(PrintProgram(Parse(text)), text);
}

// Printing is a fixpoint: what PrintProgram writes reads back and prints the same.
void ExpectPrintFixpoint(const Program& program) {
  const std::string printed = PrintProgram(program);
  SCOPED_TRACE(printed);
  try {
    EXPECT_EQ(PrintProgram(Parse(printed)), printed);
  } catch (const ParseError& e) {
    ADD_FAILURE() << "printed program does not parse: " << e.what();
  }
}

void ExpectError(std::string_view text, int line, int column, std::string_view message) {
  SCOPED_TRACE(text);
  try {
    Parse(text);
    ADD_FAILURE() << "parsed without error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(e.message().find(message), std::string::npos)
        << "message '" << e.message() << "' lacks '" << message << "'";
  }
}

// The value of `h0 = <literal>`.
Value Literal(std::string_view literal) {
  const Program program = Parse("h0 = " + std::string(literal));
  return std::get<Value>(program.ops.at(0).args.at(0));
}

double Number(std::string_view literal) { return std::get<double>(Literal(literal)); }

Expectation MakeExpectation(decltype(Expectation::what) what) {
  Expectation expectation;
  expectation.what = std::move(what);
  return expectation;
}

// ---- Round trips of canonical text

TEST(TextRoundTrip, EmptyProgram) {
  ExpectCanonical("# profile: es2023\n");
  EXPECT_EQ(PrintProgram(Parse("")), "# profile: es2023\n");
  EXPECT_EQ(PrintProgram(Parse("# profile: es2021")), "# profile: es2021\n");
}

TEST(TextRoundTrip, EveryOpKind) {
  ExpectCanonical(
      "# profile: es2023\n"
      "# a target\n"
      "h0 = object\n"
      "h1 = registry  # its callback records calls\n"
      "register h1 h0 \"held\" h0\n"
      "expect undefined\n"
      "register h1 h0 1\n"
      "h2 = weakref h0\n"
      "expect ok\n"
      "h3 = deref h2\n"
      "expect h0\n"
      "deref h2\n"
      "expect @0\n"
      "h4 = symbol\n"
      "h5 = symbol \"desc\"\n"
      "h6 = h5\n"
      "unregister h1 h0\n"
      "expect true\n"
      "link h0 h4\n"
      "unlink h0 h4\n"
      "expect TypeError\n"
      "drop h0\n"
      "gc\n"
      "expect collected @0\n"
      "gc @1 @2\n"
      "expect collected none\n"
      "turn\n"
      "expect calls h1(\"held\")\n"
      "# the end\n");
}

TEST(TextRoundTrip, RegistryCaptures) {
  ExpectCanonical(
      "# profile: es2023\n"
      "h0 = object\n"
      "h1 = registry captures h0 \"s\" Symbol.iterator {\n"
      "  h2 = registry captures held h1 h0 1\n"
      "}\n"
      "h1 = registry captures h1\n");
  const Program p = ParseProgram("h0 = object\nh1 = registry captures h0 {\n  throw\n}\n");
  EXPECT_EQ(p.ops.at(1).args, (std::vector<Operand>{HandleRef{0}}));
  EXPECT_EQ(p.ops.at(1).body.size(), 1u);
}

TEST(TextRoundTrip, RegistryConstructorChecks) {
  ExpectCanonical(
      "# profile: es2023\n"
      "h0 = registry newtarget throwing callback 1\n"
      "expect TypeError\n"
      "h1 = registry newtarget undefined captures h0 {\n"
      "  throw\n"
      "}\n"
      "h2 = registry newtarget throwing\n"
      "expect NewTargetError\n"
      "h3 = registry callback h2\n");
  const Program p = ParseProgram("h0 = registry newtarget undefined callback 1\n");
  EXPECT_EQ(p.ops.at(0).registryNewTarget, RegistryNewTarget::Undefined);
  EXPECT_TRUE(p.ops.at(0).registryCallbackArg);
  EXPECT_EQ(p.ops.at(0).args, (std::vector<Operand>{Value{1.0}}));
}

TEST(TextErrors, RegistryConstructorChecks) {
  ExpectError("h0 = registry callback 1 {\n}\n", 1, 26, "the end of the line");
  ExpectError("h0 = registry callback 1 2\n", 1, 26, "the end of the line");
  ExpectError("h0 = registry newtarget sideways\n", 1, 25, "'undefined' or 'throwing'");
  ExpectError("h0 = registry newtarget undefined newtarget throwing\n", 1, 35,
              "option 'newtarget' is repeated or out of order");
  ExpectError("h0 = registry callback 1 newtarget undefined\n", 1, 26, "the end of the line");
  ExpectError("h0 = registry callback\n", 1, 23, "expected an operand");
}

TEST(TextErrors, RegistryCaptures) {
  ExpectError("h0 = object\nh1 = registry h0\n", 2, 15,
              "expected 'newtarget', 'callback', 'async', 'captures', '{' or the end of the line");
  ExpectError("h1 = registry captures\n", 1, 23, "expected an operand the callback captures");
  ExpectError("h1 = registry captures {\n}\n", 1, 24, "an operand the callback captures");
  ExpectError("h1 = registry captures h1\n", 1, 24, "h1 is used before any op assigns it");
  ExpectError("h0 = object\nh1 = registry captures h0 h0 h0 h0 h0\n", 2, 36, "unexpected 'h0'");
}

TEST(TextErrors, RegistryAsync) {
  ExpectError("h0 = registry async newtarget undefined\n", 1, 21,
              "registry option 'newtarget' is repeated or out of order");
  ExpectError("h0 = registry async callback 1\n", 1, 21,
              "registry option 'callback' is repeated or out of order");
  ExpectError("h0 = registry callback 1 async\n", 1, 26, "a callback operand has no captures or body");
  ExpectError("h0 = registry async async\n", 1, 21, "registry option 'async' is repeated");
  ExpectError("h0 = registry async 1\n", 1, 21, "expected 'captures', '{' or the end of the line");
}

TEST(TextErrors, Repeat) {
  ExpectError("repeat {\n}\n", 1, 8, "expected a number of times from 1 to 100000");
  ExpectError("repeat 0 {\n}\n", 1, 8, "expected a number of times from 1 to 100000");
  ExpectError("repeat 100001 {\n}\n", 1, 8, "from 1 to 100000");
  ExpectError("repeat 3\n", 1, 9, "expected '{' opening the body to repeat");
  ExpectError("repeat 2 {\n  repeat 2 {\n  }\n}\n", 2, 3, "'repeat' is not allowed inside a repeat");
  ExpectError("h0 = registry {\n  repeat 2 {\n  }\n}\n", 2, 3, "not allowed inside a callback body");
  ExpectError("repeat 2 {\n  h0 = object\n", 3, 1, "expected '}' closing the body of the repeat opened at line 1");
  ExpectError("h0 = i\n", 1, 6, "'i' is only allowed in the body of a repeat");
  ExpectError("repeat 2 {\n  h0 = registry {\n    h1 = i\n  }\n}\n", 3, 10,
              "'i' is only allowed in the body of a repeat");
}

TEST(TextRoundTrip, Repeat) {
  ExpectCanonical(
      "# profile: es2023\n"
      "h0 = registry\n"
      "repeat 70 {\n"
      "  h1 = object\n"
      "  register h0 h1 i\n"
      "  turn\n"
      "}\n"
      "repeat 1 {\n"
      "}\n");
}

TEST(TextRoundTrip, AsyncRegistry) {
  ExpectCanonical(
      "# profile: es2023\n"
      "h0 = object\n"
      "h1 = registry newtarget throwing async captures h0 {\n"
      "  throw\n"
      "}\n"
      "h2 = registry async\n");
}

TEST(TextRoundTrip, EveryLiteralKind) {
  ExpectCanonical(
      "# profile: es2021\n"
      "h0 = undefined\n"
      "h1 = null\n"
      "h2 = true\n"
      "h3 = false\n"
      "h4 = 0\n"
      "h5 = -0\n"
      "h6 = 1.5\n"
      "h7 = -2e-07\n"
      "h8 = NaN\n"
      "h9 = Infinity\n"
      "h10 = -Infinity\n"
      "h11 = 1e+21\n"
      "h12 = 5e-324\n"
      "h13 = 1.7976931348623157e+308\n"
      "h14 = 123456789\n"
      "h15 = \"a\\\"b\\\\c\\nd\\te\\rf\\x01\\x7f é 😀\"\n"
      "h16 = \"\\xff\\xc0\\x80\"\n"
      "h17 = \"\"\n"
      "h18 = 12n\n"
      "h19 = -3n\n"
      "h20 = 0n\n"
      "h21 = 123456789012345678901234567890n\n"
      "h22 = Symbol.for(\"key\")\n"
      "h23 = Symbol.for(\"\\n\")\n"
      "h24 = Symbol.iterator\n"
      "h25 = Symbol.asyncIterator\n"
      "h26 = Symbol.unscopables\n");
}

TEST(TextRoundTrip, TurnOptions) {
  ExpectCanonical(
      "# profile: es2023\n"
      "turn\n"
      "turn jobs\n"
      "turn jobs 1 0\n"
      "turn order lifo\n"
      "turn limit 0\n"
      "turn jobs 3 order lifo limit 2\n"
      "turn jobs 4294967295 limit 4294967295\n");
}

TEST(TextRoundTrip, NestedBodiesCommentsAndExpectations) {
  ExpectCanonical(
      "# profile: es2023\n"
      "h0 = object\n"
      "h1 = registry {  # depth 1\n"
      "  # inside\n"
      "  h2 = registry {\n"
      "    h3 = registry {\n"
      "      h4 = registry {\n"
      "        throw held\n"
      "        expect TypeError\n"
      "      }\n"
      "      throw\n"
      "    }\n"
      "    h5 = held\n"
      "    expect held\n"
      "  }\n"
      "  expect ok\n"
      "  unregister h1 held\n"
      "  expect false\n"
      "  link h0 held\n"
      "  unlink h0 held\n"
      "  gc @1\n"
      "}\n"
      "expect ok\n"
      "register h1 h0 \"x\" h0\n"
      "gc @0 @3\n"
      "expect collected @0 @3\n"
      "turn jobs 1 0 order lifo limit 2\n"
      "expect calls h1(\"x\") @4(h0) @1(@2) h1(Symbol.for(\"k\"))\n"
      "turn\n"
      "expect calls none\n"
      "#\n"
      "#  indented comment\n"
      "#  profile: not a header\n");
}

TEST(TextRoundTrip, CorpusFilesPrintAsFixpoints) {
  // Hand-written files need not be canonical, but printing them must be a fixpoint.
  const char* const sources[] = {
      "h0 = registry\nh1 = object\nregister h0 h1 \"x\"\ndrop h1\ngc\nturn\n"
      "expect calls h0(\"x\")\n",
      "h0 = registry {\n  throw\n}\nh1 = object\n",
  };
  for (const char* source : sources) ExpectPrintFixpoint(Parse(source));
}

// ---- What the reader produces

TEST(TextParse, OpFields) {
  const Program program = Parse(
      "h0 = object\n"
      "  h1 = registry\n"
      "register h1 h0 h0\n"
      "register h1 h0 h0 h1\n"
      "deref h0\n"
      "h2 = deref h0\n"
      "drop h2\n"
      "h3 = symbol\n"
      "h4 = symbol \"\"\n"
      "gc @5 @6\n"
      "turn jobs\n"
      "turn order fifo limit 3\n"
      "h5 = h4\n");
  const std::vector<Op>& ops = program.ops;
  ASSERT_EQ(ops.size(), 13u);
  EXPECT_EQ(program.profile, Profile::Es2023);
  EXPECT_EQ(ops[0].kind, OpKind::NewObject);
  EXPECT_EQ(ops[0].dest, Handle{0});
  EXPECT_EQ(ops[1].kind, OpKind::NewRegistry);
  EXPECT_EQ(ops[1].line, 2);
  EXPECT_EQ(ops[1].column, 3);
  EXPECT_EQ(ops[2].kind, OpKind::Register);
  EXPECT_EQ(ops[2].args.size(), 3u);
  EXPECT_EQ(ops[3].args.size(), 4u);
  EXPECT_EQ(ops[3].args[3], Operand(HandleRef{1}));
  EXPECT_EQ(ops[4].kind, OpKind::Deref);
  EXPECT_FALSE(ops[4].dest.has_value());
  EXPECT_EQ(ops[5].dest, Handle{2});
  EXPECT_EQ(ops[6].kind, OpKind::Drop);
  EXPECT_EQ(ops[6].dest, Handle{2});
  EXPECT_TRUE(ops[6].args.empty());
  EXPECT_FALSE(ops[7].description.has_value());
  EXPECT_EQ(ops[8].description, std::string());
  EXPECT_EQ(ops[9].gcOnly, (std::vector<HeapId>{5, 6}));
  EXPECT_EQ(ops[10].turnJobs, std::vector<std::uint32_t>());
  EXPECT_FALSE(ops[11].turnJobs.has_value());
  EXPECT_EQ(ops[11].turnOrder, CellOrder::Fifo);
  EXPECT_EQ(ops[11].turnLimit, 3u);
  EXPECT_EQ(ops[12].kind, OpKind::Assign);
  EXPECT_EQ(ops[12].args, (std::vector<Operand>{HandleRef{4}}));
}

TEST(TextParse, EmptyBodyIsNoBody) {
  const Program program = Parse("h0 = registry {\n}\nexpect ok\n");
  ASSERT_EQ(program.ops.size(), 1u);
  EXPECT_TRUE(program.ops[0].body.empty());
  EXPECT_EQ(program.ops[0].expects.size(), 1u);
  EXPECT_EQ(PrintProgram(program), "# profile: es2023\nh0 = registry\nexpect ok\n");
}

TEST(TextParse, BodiesAndExpectationsAttachByDepth) {
  const Program program = Parse(
      "h0 = registry {\n"
      "  h1 = held\n"
      "  expect held\n"
      "}\n"
      "expect ok\n"
      "drop h1\n");
  ASSERT_EQ(program.ops.size(), 2u);
  const Op& registry = program.ops[0];
  ASSERT_EQ(registry.body.size(), 1u);
  EXPECT_EQ(registry.body[0].args, (std::vector<Operand>{HeldRef{}}));
  ASSERT_EQ(registry.body[0].expects.size(), 1u);
  EXPECT_EQ(registry.body[0].expects[0].line, 3);
  ASSERT_EQ(registry.expects.size(), 1u);
  EXPECT_EQ(registry.expects[0].line, 5);
  EXPECT_TRUE(std::holds_alternative<ExpectOk>(registry.expects[0].what));
}

TEST(TextParse, Expectations) {
  const Program program = Parse(
      "h0 = registry\n"
      "h1 = deref h0\n"
      "expect @7\n"
      "expect undefined\n"
      "turn\n"
      "expect calls h0(1) @3(@4)\n"
      "gc\n"
      "expect collected @1 @2\n");
  const auto& derefExpects = program.ops[1].expects;
  ASSERT_EQ(derefExpects.size(), 2u);
  EXPECT_EQ(std::get<ExpectValue>(derefExpects[0].what).value,
            (std::variant<Operand, HeapId>(std::in_place_type<HeapId>, 7)));
  EXPECT_EQ(std::get<ExpectValue>(derefExpects[1].what).value,
            (std::variant<Operand, HeapId>(Operand(Value(Undefined{})))));
  const auto& calls = std::get<ExpectCalls>(program.ops[2].expects.at(0).what).calls;
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].registry, (std::variant<Operand, HeapId>(Operand(HandleRef{0}))));
  EXPECT_EQ(calls[0].held, (std::variant<Operand, HeapId>(Operand(Value(1.0)))));
  EXPECT_EQ(calls[1].registry, (std::variant<Operand, HeapId>(std::in_place_type<HeapId>, 3)));
  EXPECT_EQ(std::get<ExpectCollected>(program.ops[3].expects.at(0).what).ids,
            (std::vector<HeapId>{1, 2}));
}

TEST(TextParse, HandlesDefinedAnywhereEarlier) {
  // Assigned in an earlier body, or earlier in the body being read, or by the registry
  // op whose body this is: all count.
  EXPECT_NO_THROW(Parse("h0 = registry {\n  h1 = held\n  drop h1\n  drop h0\n}\ndrop h1\n"));
  EXPECT_NO_THROW(Parse("h0 = object\nh0 = weakref h0\n"));
}

TEST(TextParse, Comments) {
  const Program program = Parse(
      "# first\n"
      "#second\n"
      "#  third\n"
      "\n"
      "h0 = registry {  # trailing\n"
      "  drop h0 #tight\n"
      "  # before the brace\n"
      "}  # on the brace\n"
      "expect ok  # on an expectation\n"
      "h1 = object\n"
      "# at the end\n");
  ASSERT_EQ(program.ops.size(), 2u);
  EXPECT_EQ(program.ops[0].comments, (std::vector<std::string>{"first", "second", " third"}));
  EXPECT_EQ(program.ops[0].trailingComment, "trailing");
  EXPECT_EQ(program.ops[0].body.at(0).trailingComment, "tight");
  EXPECT_EQ(program.ops[1].comments,
            (std::vector<std::string>{"before the brace", "on the brace", "on an expectation"}));
  EXPECT_EQ(program.trailingComments, (std::vector<std::string>{"at the end"}));
}

TEST(TextParse, ProfileHeader) {
  EXPECT_EQ(Parse("# profile: es2021\nh0 = object\n").profile, Profile::Es2021);
  EXPECT_EQ(Parse("# note\n#profile:es2021 \n").profile, Profile::Es2021);
  const Program program = Parse("# profile: es2021\n# note\nh0 = object\n");
  EXPECT_EQ(program.ops[0].comments, (std::vector<std::string>{"note"}));
  // A trailing comment is never a header.
  EXPECT_EQ(Parse("h0 = object  # profile: es2021\n").ops[0].trailingComment,
            "profile: es2021");
}

TEST(TextParse, NonCanonicalSpellingsAreAccepted) {
  EXPECT_EQ(Number("1.50"), 1.5);
  EXPECT_EQ(Number("007"), 7);
  EXPECT_EQ(Number("1E5"), 100000);
  EXPECT_EQ(Number("2e+0"), 2);
  EXPECT_TRUE(std::signbit(Number("-0")));
  EXPECT_TRUE(std::signbit(Number("-0.0e5")));
  EXPECT_TRUE(std::isnan(Number("NaN")));
  EXPECT_EQ(Number("1e-320"), 1e-320);  // subnormal, not out of range
  EXPECT_EQ(Number("2.4703282292062328e-324"), 5e-324);  // rounds up to the smallest
  EXPECT_EQ(Number("1.7976931348623158e308"), std::numeric_limits<double>::max());
  EXPECT_TRUE(std::signbit(Number("-0e-999")));
  EXPECT_EQ(Literal("-0n"), Value(BigInt{"0"}));
  EXPECT_EQ(Literal("000n"), Value(BigInt{"0"}));
  EXPECT_EQ(Literal("0010n"), Value(BigInt{"10"}));
  EXPECT_EQ(Literal("-007n"), Value(BigInt{"-7"}));
  EXPECT_EQ(Literal("\"\\x41\\x00\\xFF\""), Value(String{std::string("A\0\xff", 3)}));
  EXPECT_EQ(Literal("Symbol.for ( \"k\" )"), Value(RegisteredSymbol{"k"}));
  EXPECT_EQ(Parse("gc @007").ops[0].gcOnly, std::vector<HeapId>{7});
  EXPECT_EQ(Parse("turn order fifo").ops[0].turnOrder, CellOrder::Fifo);
  EXPECT_EQ(PrintProgram(Parse("h0=object\r\n\th1\t=  weakref   h0\r\nturn jobs 01")),
            "# profile: es2023\nh0 = object\nh1 = weakref h0\nturn jobs 1\n");
}

TEST(TextParse, PrintOpHead) {
  const Program program = Parse(
      "h0 = object\n"
      "h1 = registry {\n  throw\n}\n"
      "register h1 h0 \"x\"\n"
      "turn jobs 1 0 limit 2\n"
      "drop h0\n"
      "h2 = symbol \"s\"\n"
      "gc @4\n");
  std::vector<std::string> heads;
  for (const Op& op : program.ops) heads.push_back(PrintOpHead(op));
  EXPECT_EQ(heads, (std::vector<std::string>{"h0 = object", "h1 = registry",
                                             "register h1 h0 \"x\"", "turn jobs 1 0 limit 2",
                                             "drop h0", "h2 = symbol \"s\"", "gc @4"}));
  EXPECT_EQ(PrintOpHead(program.ops[1].body.at(0)), "throw");
}

// ---- Errors, one test per class, each located exactly

TEST(TextErrors, WhatIsFileLineColumnMessage) {
  try {
    ParseProgram("h0 = object\nregster h0\n", "dir/x.fr");
    FAIL() << "parsed";
  } catch (const ParseError& e) {
    EXPECT_STREQ(e.what(), "dir/x.fr:2:1: unknown op 'regster'");
    EXPECT_EQ(e.file(), "dir/x.fr");
  }
}

TEST(TextErrors, MissingOperand) {
  ExpectError("h0 = object\nh1 = registry\nregister h1 h0\n", 3, 15,
              "expected an operand (handle, literal or held) after 'register h1 h0', found end "
              "of line");
  ExpectError("h0 = object\nlink h0  # c\n", 2, 10, "after 'link h0', found end of line");
  ExpectError("h0 =\n", 1, 5, "after 'h0 =', found end of line");
  ExpectError("h0 object\n", 1, 4, "expected '=' after 'h0', found 'object'");
  ExpectError("drop 5\n", 1, 6, "expected a handle like h0 after 'drop', found '5'");
}

TEST(TextErrors, UnknownOp) {
  ExpectError("# profile: es2023\nh0 = registry\nregster h0 h0 \"x\"\n", 3, 1,
              "unknown op 'regster'");
  ExpectError("object\n", 1, 1, "'object' needs a handle");
  ExpectError("(\n", 1, 1, "expected an op, found '('");
}

TEST(TextErrors, HandleUsedBeforeAssigned) {
  ExpectError("h0 = registry\nh1 = object\nregister h0 h7 \"x\"\n", 3, 13,
              "h7 is used before any op assigns it");
  ExpectError("h0 = weakref h0\n", 1, 14, "h0 is used before any op assigns it");
  ExpectError("drop h3\n", 1, 6, "h3 is used before any op assigns it");
  ExpectError("h0 = object\ngc\nexpect h1\n", 3, 8, "h1 is used before");
  ExpectError("turn\nexpect calls h1(1)\n", 2, 14, "h1 is used before");
}

TEST(TextErrors, HandleOutOfRange) {
  ExpectError("h256 = object\n", 1, 1, "handle number must be 0..255");
  ExpectError("h99999999999999999999 = object\n", 1, 1, "handle number must be 0..255");
  ExpectError("h0 = object\ndrop h99999999999999999999\n", 2, 6, "handle number must be 0..255");
  ExpectError("h01 = object\n", 1, 1, "leading zeros");
  ExpectError("h00 = object\n", 1, 1, "leading zeros");
}

TEST(TextErrors, HeapIds) {
  ExpectError("gc @99999999999999999\n", 1, 4, "heap id must be 0..4294967295");
  ExpectError("gc @4294967296\n", 1, 4, "heap id must be 0..4294967295");
  ExpectError("gc @\n", 1, 4, "bad heap id '@'");
  ExpectError("gc @1x\n", 1, 4, "bad heap id '@1x'");
  ExpectError("gc 3\n", 1, 4,
              "expected a heap id like @3, 'enqueue' or 'hold' after 'gc', found '3'");
  ExpectError("h0 = @3\n", 1, 6, "expected an operand");
}

TEST(TextErrors, UnterminatedString) {
  ExpectError("h0 = registry\nh1 = object\nregister h0 h1 \"unterminated\n", 3, 16,
              "unterminated string");
  ExpectError("h0 = \"abc\\", 1, 6, "unterminated string");
  ExpectError("h0 = \"", 1, 6, "unterminated string");
}

TEST(TextErrors, InvalidUtf8) {
  ExpectError("h0 = object\nh1 = \"caf\xe9\"\n", 2, 10, "invalid UTF-8 byte 0xe9");
  ExpectError("h0 = \"\xff\"", 1, 7, "invalid UTF-8 byte 0xff");
  ExpectError("# \xc0\x80 overlong\n", 1, 3, "invalid UTF-8 byte 0xc0");
  ExpectError("\xed\xa0\x80\n", 1, 1, "invalid UTF-8 byte 0xed");  // a surrogate
  ExpectError("h0 = \"\xe2\x82\"", 1, 7, "invalid UTF-8 byte 0xe2");   // truncated
  ExpectError("h0 = object\n\x80", 2, 1, "invalid UTF-8 byte 0x80");
}

TEST(TextErrors, UnclosedBody) {
  ExpectError("h0 = object\nh1 = registry {\n  drop h0\n", 4, 1,
              "expected '}' closing the body of the registry opened at line 2, found end of "
              "file");
  ExpectError("h0 = registry {\n  h1 = registry {\n  }", 3, 4, "opened at line 1");
  ExpectError("h0 = registry {", 1, 16, "opened at line 1");
}

TEST(TextErrors, StrayBraces) {
  ExpectError("}\n", 1, 1, "no body is open");
  ExpectError("h0 = registry {\n} x\n", 2, 3, "unexpected 'x' after '}'");
  ExpectError("h0 = registry {}\n", 1, 16, "unexpected '}' after 'h0 = registry {'");
  ExpectError("h0 = object {\n", 1, 13, "unexpected '{' after 'h0 = object'");
}

TEST(TextErrors, HeldOutsideBody) {
  ExpectError("h0 = held\n", 1, 6, "'held' is only allowed inside a callback body");
  ExpectError("h0 = object\nexpect held\n", 2, 8, "'held' is only allowed");
}

TEST(TextErrors, ThrowOutsideBody) {
  ExpectError("throw\n", 1, 1, "'throw' is only allowed inside a callback or then body");
}

TEST(TextErrors, TurnInsideBody) {
  ExpectError("h0 = registry {\n  turn\n}\n", 2, 3, "'turn' is not allowed inside a callback body");
  ExpectError("then {\n  turn\n}\n", 2, 3, "'turn' is not allowed inside a then body");
  ExpectError("h0 = registry {\n  then {\n    repeat 2 {\n    }\n  }\n}\n", 3, 5,
              "'repeat' is not allowed inside a then body");
  // A repeat is no function: inside one, the body around it is what counts.
  ExpectError("repeat 2 {\n  then {\n    turn\n  }\n}\n", 3, 5,
              "'turn' is not allowed inside a then body");
}

TEST(TextErrors, OpThatGivesNothingToHold) {
  ExpectError("h3 = gc\n", 1, 6, "'gc' gives no value to hold: write it without 'h3 ='");
  ExpectError("h0 = object\nh1 = register h0 h0 1\n", 2, 6, "'register' gives no value to hold");
}

TEST(TextErrors, Then) {
  ExpectError("h0 = then {\n}\n", 1, 6, "'then' gives no value to hold: write it without 'h0 ='");
  ExpectError("then {\n  h0 = i\n}\n", 2, 8, "'i'");
  ExpectError(
      "then {\n then {\n  then {\n   then {\n    then {\n    }\n   }\n  }\n }\n}\n", 5, 10,
      "callback and then bodies nest at most 4 deep");
}

TEST(TextErrors, BodiesNestTooDeep) {
  ExpectError(
      "h0 = registry {\n"
      " h0 = registry {\n"
      "  h0 = registry {\n"
      "   h0 = registry {\n"
      "    h0 = registry {\n"
      "    }\n"
      "   }\n"
      "  }\n"
      " }\n"
      "}\n",
      5, 19, "callback and then bodies nest at most 4 deep");
}

TEST(TextErrors, ExpectationsOnTheWrongOp) {
  ExpectError("gc\nexpect calls none\n", 2, 8, "'expect calls' follows only a turn");
  ExpectError("turn\nexpect collected none\n", 2, 8, "'expect collected' follows only a gc");
  ExpectError("expect ok\n", 1, 1, "expect with no op before it");
  ExpectError("# c\n\nexpect ok\n", 3, 1, "expect with no op before it");
  ExpectError("h0 = registry {\n  expect ok\n}\n", 2, 3, "expect with no op before it");
}

TEST(TextErrors, MalformedExpectations) {
  ExpectError("gc\nexpect\n", 2, 7, "expected ok, TypeError, NewTargetError, calls, collected or a value");
  ExpectError("turn\nexpect calls\n", 2, 13, "expected calls like h1(\"held\") or 'none'");
  ExpectError("h1 = registry\nturn\nexpect calls h1\n", 3, 16,
              "expected '(' after 'expect calls h1', found end of line");
  ExpectError("h1 = registry\nturn\nexpect calls h1(1 h1(2)\n", 3, 19, "expected ')'");
  ExpectError("gc\nexpect collected\n", 2, 17, "expected heap ids like @0 or 'none'");
  ExpectError("gc\nexpect collected none @1\n", 2, 23, "unexpected '@1'");
  ExpectError("gc\nexpect ok ok\n", 2, 11, "unexpected 'ok' after 'expect ok'");
}

TEST(TextErrors, TrailingJunk) {
  ExpectError("h1 = object\ndrop h1 x\n", 2, 9, "unexpected 'x' after 'drop h1'");
  ExpectError("gc()\n", 1, 3,
              "expected a heap id like @3, 'enqueue' or 'hold' after 'gc', found '('");
  ExpectError("h0 = symbol \"a\" \"b\"\n", 1, 17, "unexpected '\"b\"' after 'h0 = symbol \"a\"'");
  ExpectError("h0 = object\nh1 = registry\nregister h1 h0 1 h0 h0\n", 3, 21, "unexpected 'h0'");
}

TEST(TextErrors, ProfileHeader) {
  ExpectError("# profile: es2022\n", 1, 12, "# profile: must be es2021 or es2023, found 'es2022'");
  ExpectError("# profile:\n", 1, 11, "found nothing");
  ExpectError("# profile: es2021\n# profile: es2023\n", 2, 1, "duplicate '# profile:' line");
  ExpectError("h0 = object\n# profile: es2021\n", 2, 1, "only allowed before the first op");
  ExpectError("h0 = registry {\n  # profile: es2021\n}\n", 2, 3, "before the first op");
}

TEST(TextErrors, BudgetHeader) {
  ExpectError("# budget: lots\n", 1, 11, "# budget: must be a number of callbacks from 0 to 1000000, found 'lots'");
  ExpectError("# budget: 1000001\n", 1, 11, "found '1000001'");
  ExpectError("# budget: -1\n", 1, 11, "found '-1'");
  ExpectError("# budget:\n", 1, 10, "found nothing");
  ExpectError("# budget: 5\n# budget: 6\n", 2, 1, "duplicate '# budget:' line (the first is line 1)");
  ExpectError("h0 = object\n# budget: 5\n", 2, 1, "'# budget:' is only allowed before the first op");
}

TEST(TextRoundTrip, BudgetHeader) {
  ExpectCanonical("# profile: es2023\n# budget: 40000\nh0 = object\n");
  ExpectCanonical("# profile: es2021\n# budget: 0\n");
  EXPECT_EQ(Parse("# budget: 100\n").callbackBudget, kDefaultCallbackBudget);
  EXPECT_EQ(PrintProgram(Parse("# budget: 100\n")), "# profile: es2023\n");  // the default
  // A comment that reads like the header is printed so that it stays a comment.
  ExpectPrintFixpoint(Program{.ops = {Op{.kind = OpKind::NewObject, .dest = 0, .comments = {"budget: 3"}}}});
}

TEST(TextErrors, BadNumbers) {
  ExpectError("h0 = 0x10\n", 1, 6, "bad number '0x10'");
  ExpectError("h0 = 0x\n", 1, 6, "bad number '0x'");
  ExpectError("h0 = +1\n", 1, 6, "bad number '+1'");
  ExpectError("h0 = .5\n", 1, 6, "bad number '.5'");
  ExpectError("h0 = 1.\n", 1, 6, "bad number '1.'");
  ExpectError("h0 = 1e\n", 1, 6, "bad number '1e'");
  ExpectError("h0 = 1.2.3\n", 1, 6, "bad number");
  ExpectError("h0 = 1_000\n", 1, 6, "bad number");
  ExpectError("h0 = -\n", 1, 6, "bad number '-'");
  ExpectError("h0 = -NaN\n", 1, 6, "bad number");
  ExpectError("h0 = 1e400\n", 1, 6, "number '1e400' is out of range");
  ExpectError("h0 = -1e-400\n", 1, 6, "out of range");
  // The edges: the halfway points to the largest double and to the smallest subnormal
  // (both libstdc++'s from_chars and libc++'s strtod fallback draw the line here).
  ExpectError("h0 = 1.7976931348623159e308\n", 1, 6, "out of range");
  ExpectError("h0 = 2.4703282292062327e-324\n", 1, 6, "out of range");
  ExpectError("h0 = 1.5n\n", 1, 6, "bad BigInt '1.5n'");
  ExpectError("h0 = -n\n", 1, 6, "bad BigInt");
  ExpectError("h0 = 0xan\n", 1, 6, "bad BigInt");
  ExpectError("turn limit 4294967296\n", 1, 12, "must be 0..4294967295");
  ExpectError("turn limit -1\n", 1, 12, "expected a callback limit after 'turn limit'");
  ExpectError("turn jobs 1 99999999999\n", 1, 13, "a job position must be 0..4294967295");
}

TEST(TextErrors, BadEscapes) {
  ExpectError("h0 = \"\\q\"\n", 1, 7, "unknown escape '\\q'");
  ExpectError("h0 = \"ab\\é\"\n", 1, 9, "unknown escape '\\é'");
  ExpectError("h0 = \"\\x4\"\n", 1, 7, "\\x in a string needs two hex digits");
  ExpectError("h0 = \"\\xzz\"\n", 1, 7, "two hex digits");
  ExpectError("h0 = \"\\x", 1, 7, "two hex digits");
}

TEST(TextErrors, ControlBytes) {
  ExpectError("h0 = \"a\tb\"\n", 1, 8, "raw control byte 0x09 in a string");
  ExpectError(std::string_view("h0 = \"\0\"", 8), 1, 7, "raw control byte 0x00");
  ExpectError(std::string_view("h0 = object\0", 12), 1, 12, "unexpected control byte 0x00");
  ExpectError("h0 = object\rdrop h0\n", 1, 12, "unexpected control byte 0x0d");
  ExpectError("h0 = object\r", 1, 12, "unexpected control byte 0x0d");
  ExpectError("\r", 1, 1, "unexpected control byte 0x0d");
  ExpectError("h0 = object\x7f\n", 1, 12, "unexpected control byte 0x7f");
  // In comments they are just text.
  EXPECT_EQ(Parse(std::string_view("h0 = object # a\0\rb\n", 19)).ops[0].trailingComment,
            std::string("a\0\rb", 4));
}

TEST(TextErrors, Symbols) {
  ExpectError("h0 = Symbol.foo\n", 1, 6, "unknown well-known symbol 'Symbol.foo'");
  ExpectError("h0 = Symbol.\n", 1, 6, "unknown well-known symbol");
  ExpectError("h0 = Symbol.for\n", 1, 16, "expected '(' after 'h0 = Symbol.for'");
  ExpectError("h0 = Symbol.for(k)\n", 1, 17, "expected a string key");
  ExpectError("h0 = Symbol.for(\"k\"\n", 1, 20, "expected ')'");
}

TEST(TextErrors, TurnOptions) {
  ExpectError("turn limit 1 jobs 2\n", 1, 14, "turn option 'jobs' is repeated or out of order");
  ExpectError("turn order lifo order fifo\n", 1, 17, "'order' is repeated or out of order");
  ExpectError("turn order sideways\n", 1, 12, "expected 'fifo' or 'lifo' after 'turn order'");
  ExpectError("turn jobs 1 x\n", 1, 13, "unexpected 'x' after 'turn jobs 1'");
  ExpectError("turn repost limit 1\n", 1, 13, "turn option 'limit' is repeated or out of order");
  ExpectError("turn repost repost\n", 1, 13, "'repost' is repeated or out of order");
}

TEST(TextErrors, GcOptions) {
  ExpectError("gc hold weak enqueue each\n", 1, 14,
              "gc option 'enqueue' is repeated or out of order (gc [@id …] [enqueue "
              "none|one|each] [hold strong|weak])");
  ExpectError("gc enqueue all\n", 1, 12,
              "expected 'one', 'none' or 'each' after 'gc enqueue', found 'all'");
  ExpectError("gc hold\n", 1, 8, "expected 'strong' or 'weak' after 'gc hold', found end of line");
  ExpectError("gc enqueue none @1\n", 1, 17, "unexpected '@1' after 'gc enqueue none'");
  ExpectError("gc @1 weak\n", 1, 7,
              "expected a heap id like @3, 'enqueue' or 'hold' after 'gc @1'");
}

// The options that state choices 2, 3 and 5; defaults are not printed, so a program
// without them prints as before.
TEST(TextParse, HostChoiceOptions) {
  const Program p = Parse(
      "gc @1 @2 enqueue each hold weak\ngc enqueue none\ngc enqueue one hold strong\n"
      "turn jobs 0 limit 2 repost\n");
  EXPECT_EQ(p.ops[0].gcOnly, (std::vector<HeapId>{1, 2}));
  EXPECT_EQ(p.ops[0].gcEnqueue, JobsEnqueued::OnePerValue);
  EXPECT_EQ(p.ops[0].gcHold, JobHold::Weak);
  EXPECT_EQ(p.ops[1].gcEnqueue, JobsEnqueued::None);
  EXPECT_EQ(p.ops[1].gcHold, JobHold::Strong);
  EXPECT_EQ(p.ops[2].gcEnqueue, JobsEnqueued::OnePerRegistry);
  EXPECT_TRUE(p.ops[3].turnRepost);
  EXPECT_FALSE(Parse("turn").ops[0].turnRepost);
  EXPECT_EQ(PrintProgram(p),
            "# profile: es2023\ngc @1 @2 enqueue each hold weak\ngc enqueue none\ngc\n"
            "turn jobs 0 limit 2 repost\n");
}

TEST(TextErrors, LongTokensAreCutInMessages) {
  const std::string word(200, 'x');
  try {
    Parse(word);
    FAIL() << "parsed";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.message(), "unknown op '" + std::string(40, 'x') + "…'");
  }
}

// ---- Printing programs that did not come from text

// What the binary decoder may produce: any bytes in strings, any double, any BigInt.
TEST(TextPrint, ArbitraryValuesReadBack) {
  std::string allBytes;
  for (int b = 0; b < 256; ++b) allBytes += static_cast<char>(b);
  const std::vector<Value> values = {
      Value(String{allBytes}),
      Value(String{"\xc3\xa9\xf0\x9f\x98\x80\xed\xa0\x80\xf4\x90\x80\x80"}),
      Value(RegisteredSymbol{allBytes}),
      Value(BigInt{"-123456789012345678901234567890123456789"}),
      Value(std::numeric_limits<double>::denorm_min()),
      Value(-std::numeric_limits<double>::max()),
      Value(std::numeric_limits<double>::min()),
      Value(std::bit_cast<double>(std::uint64_t{0x7ff0000000000001})),  // a signalling NaN
      Value(-0.0),
      Value(0.1),
      Value(1e21),
      Value(1e-7),
      Value(123e300),
  };
  for (const Value& value : values) {
    Program program;
    program.ops.push_back(MakeOp(OpKind::Assign, 0, {value}));
    const std::string printed = PrintProgram(program);
    SCOPED_TRACE(printed);
    const Program back = Parse(printed);
    EXPECT_TRUE(SameValue(std::get<Value>(back.ops.at(0).args.at(0)), value));
    EXPECT_EQ(PrintProgram(back), printed);
  }
}

TEST(TextPrint, EveryDoubleReadsBackExactly) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 20000; ++i) {
    const double number = std::bit_cast<double>(random());
    Program program;
    program.ops.push_back(MakeOp(OpKind::Assign, 0, {Value(number)}));
    const std::string printed = PrintProgram(program);
    const double back = std::get<double>(std::get<Value>(Parse(printed).ops.at(0).args.at(0)));
    ASSERT_TRUE(SameValue(Value(back), Value(number))) << printed;
  }
}

TEST(TextPrint, CommentsThatCannotBeWrittenAsIs) {
  Program program;
  Op op = MakeOp(OpKind::NewObject, 0);
  op.comments = {"two\nlines", "profile: es2021", "", "bad \xff byte", "ends in \r"};
  op.trailingComment = "trailing\nbreak";
  program.ops.push_back(op);
  program.trailingComments = {"profile: es2023", " profile: x"};
  const std::string printed = PrintProgram(program);
  EXPECT_EQ(printed,
            "# profile: es2023\n"
            "# two lines\n"
            "#  profile: es2021\n"
            "#\n"
            "# bad \xEF\xBF\xBD byte\n"
            "# ends in  \n"
            "h0 = object  # trailing break\n"
            "#  profile: es2023\n"
            "#  profile: x\n");
  ExpectPrintFixpoint(program);
}

TEST(TextPrint, OpHeadOfBuiltOps) {
  Op turn = MakeOp(OpKind::Turn);
  turn.turnJobs = std::vector<std::uint32_t>{};
  turn.turnOrder = CellOrder::Lifo;
  EXPECT_EQ(PrintOpHead(turn), "turn jobs order lifo");
  const Op deref = MakeOp(OpKind::Deref, std::nullopt, {HandleRef{3}});
  EXPECT_EQ(PrintOpHead(deref), "deref h3");
  Op symbol = MakeOp(OpKind::NewSymbol, 9);
  symbol.description = "a\"b";
  EXPECT_EQ(PrintOpHead(symbol), "h9 = symbol \"a\\\"b\"");
}

// ---- Random programs print as fixpoints; random text never breaks the reader

// Valid programs with the shapes the binary decoder makes, plus comments and
// expectations.
class ProgramGenerator {
 public:
  explicit ProgramGenerator(std::uint32_t seed) : random_(seed) {}

  Program Make() {
    defined_.clear();
    Program program;
    program.profile = Chance(2) ? Profile::Es2021 : Profile::Es2023;
    program.ops = Ops(0);
    if (Chance(4)) program.trailingComments.push_back(Text());
    return program;
  }

 private:
  bool Chance(int oneIn) { return Below(oneIn) == 0; }
  std::uint32_t Below(std::uint32_t n) { return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(random_); }

  std::string Text() {
    std::string text;
    const std::uint32_t length = Below(8);
    for (std::uint32_t i = 0; i < length; ++i) text += static_cast<char>(Below(256));
    return text;
  }

  Value RandomValue() {
    switch (Below(9)) {
      case 0: return Undefined{};
      case 1: return Null{};
      case 2: return Chance(2);
      case 3: return std::bit_cast<double>(std::uint64_t{random_()} << 32 | random_());
      case 4: return static_cast<double>(static_cast<int>(Below(7)) - 3);
      case 5: return String{Text()};
      case 6: return BigInt{Chance(2) ? "0" : (Chance(2) ? "-" : "") + std::to_string(1 + Below(1000000))};
      case 7: return RegisteredSymbol{Text()};
      default: return WellKnownSymbol{std::string(WellKnownSymbolName(Below(100)))};
    }
  }

  Operand RandomOperand(int depth) {
    if (!defined_.empty() && Chance(2)) return HandleRef{defined_[Below(defined_.size())]};
    if (depth > 0 && Chance(4)) return HeldRef{};
    return RandomValue();
  }

  std::variant<Operand, HeapId> OperandOrHeapId(int depth) {
    if (Chance(3)) return std::variant<Operand, HeapId>(std::in_place_type<HeapId>, Below(10));
    return RandomOperand(depth);
  }

  Handle NewDest() {
    const auto handle = static_cast<Handle>(Below(kHandleCount));
    defined_.push_back(handle);
    return handle;
  }

  std::vector<Op> Ops(int depth) {
    std::vector<Op> ops;
    const std::uint32_t count = Below(depth == 0 ? 12 : 4);
    for (std::uint32_t i = 0; i < count; ++i) ops.push_back(RandomOp(depth));
    return ops;
  }

  Op RandomOp(int depth) {
    Op op;
    switch (Below(14)) {
      case 0: op.kind = OpKind::NewObject; break;
      case 13: {  // WeakMap's and WeakSet's ops, and `then`: operands and a body
        constexpr std::array kKinds = {OpKind::NewWeakMap, OpKind::NewWeakSet, OpKind::WeakMapSet,
                                       OpKind::WeakMapGet, OpKind::WeakHas, OpKind::WeakDelete,
                                       OpKind::WeakSetAdd, OpKind::Then};
        op.kind = kKinds[Below(kKinds.size())];
        for (int i = 0; i < FactsOf(op.kind).minArgs; ++i) op.args.push_back(RandomOperand(depth));
        if (op.kind == OpKind::Then && depth < kMaxBodyDepth) op.body = Ops(depth + 1);
        break;
      }
      case 1:
        op.kind = OpKind::NewSymbol;
        if (Chance(2)) op.description = Text();
        break;
      case 2: op.kind = OpKind::Assign; op.args = {RandomOperand(depth)}; break;
      case 3: op.kind = OpKind::NewRegistry; break;
      case 4: op.kind = OpKind::NewWeakRef; op.args = {RandomOperand(depth)}; break;
      case 5: op.kind = OpKind::Deref; op.args = {RandomOperand(depth)}; break;
      case 6:
        op.kind = OpKind::Register;
        op.args = {RandomOperand(depth), RandomOperand(depth), RandomOperand(depth)};
        if (Chance(2)) op.args.push_back(RandomOperand(depth));
        break;
      case 7: op.kind = OpKind::Unregister; op.args = {RandomOperand(depth), RandomOperand(depth)}; break;
      case 8:
        op.kind = Chance(2) ? OpKind::Link : OpKind::Unlink;
        op.args = {RandomOperand(depth), RandomOperand(depth)};
        break;
      case 9:
        if (defined_.empty()) return RandomOp(depth);
        op.kind = OpKind::Drop;
        op.dest = defined_[Below(defined_.size())];
        break;
      case 10:
        op.kind = OpKind::Gc;
        for (std::uint32_t n = Below(3); n > 0; --n) op.gcOnly.push_back(random_());
        if (Chance(2)) op.gcEnqueue = static_cast<JobsEnqueued>(Below(3));
        if (Chance(2)) op.gcHold = JobHold::Weak;
        if (Chance(2)) op.expects.push_back(MakeExpectation(ExpectCollected{op.gcOnly}));
        break;
      default:
        if (depth > 0) {
          op.kind = OpKind::Throw;
          if (Chance(2)) op.args = {RandomOperand(depth)};
          break;
        }
        op.kind = OpKind::Turn;
        if (Chance(2)) op.turnJobs = std::vector<std::uint32_t>(Below(3), Below(5));
        if (Chance(2)) op.turnOrder = CellOrder::Lifo;
        if (Chance(2)) op.turnLimit = random_();
        op.turnRepost = Chance(2);
        if (Chance(2)) {
          ExpectCalls calls;
          for (std::uint32_t n = Below(3); n > 0; --n) {
            calls.calls.push_back({OperandOrHeapId(depth), OperandOrHeapId(depth)});
          }
          op.expects.push_back(MakeExpectation(std::move(calls)));
        }
    }
    const DestUse dest = FactsOf(op.kind).dest;
    if (dest == DestUse::Assigns || (dest == DestUse::MayAssign && Chance(2))) op.dest = NewDest();
    if (op.kind == OpKind::NewRegistry && depth < kMaxBodyDepth && Chance(2)) op.body = Ops(depth + 1);
    if (Chance(4)) op.comments.push_back(Text());
    if (Chance(4)) op.trailingComment = Text();
    if (Chance(4)) op.expects.push_back(MakeExpectation(ExpectOk{}));
    if (Chance(4)) op.expects.push_back(MakeExpectation(ExpectValue{OperandOrHeapId(depth)}));
    return op;
  }

  std::mt19937 random_;
  std::vector<Handle> defined_;
};

TEST(TextFuzz, RandomProgramsPrintAsFixpoints) {
  ProgramGenerator generator(1);
  for (int i = 0; i < 2000; ++i) {
    const Program program = generator.Make();
    ExpectPrintFixpoint(program);
    // Semantics survive: the printed stripped program is the stripped printed one.
    ASSERT_EQ(PrintProgram(StripToSemantics(Parse(PrintProgram(program)))),
              PrintProgram(StripToSemantics(program)));
    if (::testing::Test::HasFailure()) return;
  }
}

// Parses `text`; only ParseError may come out, and what parses prints as a fixpoint.
void ExpectParsesOrParseError(const std::string& text) {
  try {
    ExpectPrintFixpoint(Parse(text));
  } catch (const ParseError&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << "non-ParseError exception " << e.what() << " for input:\n" << text;
  }
}

TEST(TextFuzz, RandomBytesOnlyThrowParseError) {
  std::mt19937 random(2);
  const std::vector<std::string> vocabulary = {
      "h0", "h1", "h255", "h256", "h01", " ", " ", "\t", "\n", "\r\n", "\r", "=", "{", "}",
      "(", ")", "#", "# profile: es2021", "\"", "\\", "\\x", "\"a\"", "object", "symbol",
      "registry", "weakref", "deref", "register", "unregister", "link", "unlink", "drop",
      "gc", "turn", "throw", "expect", "ok", "TypeError", "calls", "collected", "none",
      "jobs", "order", "lifo", "fifo", "limit", "held", "@", "@3", "@99999999999999999",
      "1", "-0", "1e400", "0x", "12n", "-0n", "NaN", "-Infinity", "Symbol.for",
      "Symbol.iterator", "Symbol.", "\xff", "\xc3", "\xc3\xa9", std::string(1, '\0')};
  for (int i = 0; i < 4000; ++i) {
    std::string text;
    const int length = static_cast<int>(random() % 40);
    const bool bytes = random() % 4 == 0;
    for (int j = 0; j < length; ++j) {
      if (bytes) {
        text += static_cast<char>(random() % 256);
      } else {
        text += vocabulary[random() % vocabulary.size()];
      }
    }
    ExpectParsesOrParseError(text);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(TextFuzz, MutatedProgramsOnlyThrowParseError) {
  ProgramGenerator generator(3);
  std::mt19937 random(4);
  for (int i = 0; i < 3000; ++i) {
    std::string text = PrintProgram(generator.Make());
    for (int edits = 1 + static_cast<int>(random() % 4); edits > 0; --edits) {
      const std::size_t at = random() % (text.size() + 1);
      switch (random() % 4) {
        case 0: text.insert(at, 1, static_cast<char>(random() % 256)); break;
        case 1: if (at < text.size()) text.erase(at, 1 + random() % 8); break;
        case 2: if (at < text.size()) text[at] = static_cast<char>(random() % 128); break;
        default: text.insert(at, text.substr(random() % text.size(), random() % 16)); break;
      }
    }
    ExpectParsesOrParseError(text);
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace finrig
