// The attribution ledger from tables of observation sequences: each row is what a trace
// showed, in order, and whether some attribution of its callbacks to cells fits it.
#include "model/attribution.h"

#include <cctype>
#include <deque>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace finrig {
namespace {

// One observation per line, at times 1, 2, ...; ops are on lines of the same number.
//   reg R @T HELD [@K]     register in registry R target @T, heldValue "HELD", token @K
//   cb R HELD              a callback of R with heldValue "HELD"
//   unreg R @K true|false  unregister's answer
//   alive @T / dead @T     a deref answered the target / undefined
//   reports                the trace reports collections from here on
//   threw R                a callback of R threw
struct Ledger {
  Attribution attribution;
  std::deque<Op> ops;  // the violation points at them
};

void Read(const std::string& observations, Ledger& ledger) {
  std::istringstream lines(observations);
  std::string line;
  for (std::size_t at = 1; std::getline(lines, line); ++at) {
    Op& op = ledger.ops.emplace_back();
    op.line = static_cast<int>(at);
    std::istringstream words(line);
    std::string what, a, b, c, d;
    words >> what >> a >> b >> c >> d;
    const auto id = [](const std::string& word) {
      return static_cast<HeapId>(std::stoul(word.substr(1)));
    };
    Attribution& ledgerOf = ledger.attribution;
    if (what == "reg") {
      ledgerOf.Register(std::stoul(a), ObjectRef{id(b)}, String{c},
                        d.empty() ? std::nullopt : std::optional<Value>(ObjectRef{id(d)}), at,
                        op.line);
    } else if (what == "cb") {
      ledgerOf.Callback(std::stoul(a), String{b}, at, &op);
    } else if (what == "unreg") {
      ledgerOf.Unregister(std::stoul(a), ObjectRef{id(b)}, c == "true", at, &op);
    } else if (what == "alive") {
      ledgerOf.DerefAnswered(id(a), at, op.line);
    } else if (what == "dead") {
      ledgerOf.Collected(id(a), at);
    } else if (what == "reports") {
      ledgerOf.ReportsCollections(at);
    } else if (what == "threw") {
      ledgerOf.Threw(std::stoul(a), at);
    } else {
      FAIL() << "unknown observation: " << line;
    }
  }
}

struct Row {
  const char* name;
  const char* observations;
  int invariant;        // 0: some attribution fits
  int line = 0;         // where the violation points
  const char* words = "";  // in its message
};

const Row kRows[] = {
    {"one cell, one callback", "reg 0 @1 a\ncb 0 a\n", 0},
    {"a second callback for the only cell", "reg 0 @1 a\ncb 0 a\ncb 0 a\n", 5, 3,
     "1 cell (registered at line 1) is all that the 2 callbacks"},
    {"two look-alike cells, two callbacks", "reg 0 @1 a\nreg 0 @2 a\ncb 0 a\ncb 0 a\n", 0},
    {"a callback before its cell was registered", "cb 0 a\nreg 0 @1 a\n", 0},  // the walk's
    {"registered after the callback, while another cell is gone",
     "reg 0 @1 a @11\nunreg 0 @11 true\ncb 0 a\nreg 0 @2 a\n", 1, 3,
     "unregistered at line 2"},
    {"callback for a cell unregistered before it", "reg 0 @1 a @11\nunreg 0 @11 true\ncb 0 a\n",
     1, 3, "the cell registered at line 1 was unregistered at line 2"},
    {"callback, then unregister answers false", "reg 0 @1 a @11\ncb 0 a\nunreg 0 @11 false\n", 0},
    {"callback, then unregister answers true", "reg 0 @1 a @11\ncb 0 a\nunreg 0 @11 true\n", 7, 2,
     "still there for the unregister at line 3, which answered true"},
    {"the answers tell which of two look-alikes went",
     "reg 0 @1 a @11\nreg 0 @2 a @12\ncb 0 a\nunreg 0 @11 true\nunreg 0 @12 false\n", 0},
    {"the answers say both went, for one callback",
     "reg 0 @1 a @11\nreg 0 @2 a @12\ncb 0 a\nunreg 0 @11 false\nunreg 0 @12 false\n", 7, 5,
     "the 1st with heldValue \"a\") are fewer than the cells"},
    // Both the answer and the callback are wrong; the answer comes first.
    {"false before any callback", "reg 0 @1 a @11\nunreg 0 @11 false\ncb 0 a\n", 7, 2,
     "no callback of @0 with that heldValue that could have delivered it ran before"},
    {"false for a cell whose heldValue never came",
     "reg 0 @1 a @11\nreg 0 @2 b\ncb 0 b\nunreg 0 @11 false\n", 7, 4,
     "no callback of @0 with that heldValue that could have delivered it ran before"},
    {"false after a throw left the cell", "reg 0 @1 a @11\nreg 0 @2 b\ncb 0 b\nthrew 0\nunreg 0 @11 false\n",
     11, 5, "threw while it was registered"},
    {"true for a token no cell has", "reg 0 @1 a @11\nunreg 0 @12 true\n", 7, 2,
     "no cell with that token was left"},
    {"a shared token answering true leaves the walk to decide",
     "reg 0 @1 a @11\nreg 0 @2 a @11\ncb 0 a\ncb 0 a\nunreg 0 @11 true\n", 0},
    {"a token of another registry", "reg 0 @1 a @11\nreg 1 @2 a @11\ncb 0 a\nunreg 1 @11 true\n",
     0},
    {"a callback of a registry with no cells", "reg 0 @1 a\ncb 1 a\n", 0},  // the walk's
    {"a heldValue of another registry", "reg 1 @1 a\nreg 0 @2 a\ncb 0 a\ncb 0 a\n", 5, 4},
    {"a deref answered the target after its callback", "reg 0 @1 a\ncb 0 a\nalive @1\n", 10, 2,
     "target @1 of the cell registered at line 1 was alive later, at line 3"},
    {"a deref answered the target before its callback", "reg 0 @1 a\nalive @1\ncb 0 a\n", 0},
    {"a look-alike whose target lives takes no callback",
     "reg 0 @1 a\nreg 0 @2 a\ncb 0 a\ncb 0 a\nalive @2\n", 10, 4},
    {"reported collections: a callback after the report", "reg 0 @1 a\nreports\ndead @1\ncb 0 a\n",
     0},
    {"reported collections: a callback before the report", "reg 0 @1 a\nreports\ncb 0 a\ndead @1\n",
     4, 3, "had not been reported collected"},
    {"no reports: a callback needs none", "reg 0 @1 a\ncb 0 a\ndead @1\n", 0},
};

class AttributionTable : public ::testing::TestWithParam<Row> {};

TEST_P(AttributionTable, Decides) {
  const Row& row = GetParam();
  Ledger ledger;
  Read(row.observations, ledger);
  const std::vector<Violation> violations = ledger.attribution.Refute();
  EXPECT_EQ(ledger.attribution.Solvable({}), violations.empty());
  if (row.invariant == 0) {
    EXPECT_TRUE(violations.empty()) << violations[0].message;
    return;
  }
  ASSERT_FALSE(violations.empty()) << "accepted: " << row.observations;
  const Violation* refuted = &violations[0];  // the first the trace shows
  EXPECT_EQ(InvariantNumber(refuted->invariant), row.invariant) << refuted->message;
  if (row.line != 0) {
    EXPECT_EQ(refuted->line, row.line) << refuted->message;
  }
  EXPECT_NE(refuted->message.find(row.words), std::string::npos) << refuted->message;
}

INSTANTIATE_TEST_SUITE_P(Rows, AttributionTable, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           std::string name;
                           for (const char* c = info.param.name; *c; ++c) {
                             name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
                           }
                           return name;
                         });

// What the walk fixes as it goes: a choice the later answers rule out is unsolvable at
// once, the one they allow is not.
TEST(Attribution, FixedDeliveriesMustFitTheLaterAnswers) {
  Ledger ledger;
  Read("reg 0 @1 a @11\nreg 0 @2 a @12\ncb 0 a\nunreg 0 @11 true\nunreg 0 @12 false\n", ledger);
  using Ref = Attribution::CellRef;
  EXPECT_FALSE(ledger.attribution.Solvable({Ref{0, 0}}));
  EXPECT_TRUE(ledger.attribution.Solvable({Ref{0, 1}}));
  EXPECT_TRUE(ledger.attribution.Solvable({}));
}

// Each side's contradiction stands on its own, and both are reported, in trace order:
// an unregister answering false for a cell nothing delivered, then a callback for it.
TEST(Attribution, ReportsTheAnswerAndTheCallbackBothWrong) {
  Ledger ledger;
  Read("reg 0 @1 a @11\nunreg 0 @11 false\ncb 0 a\n", ledger);
  const std::vector<Violation> refuted = ledger.attribution.Refute();
  ASSERT_EQ(refuted.size(), 2u);
  EXPECT_EQ(refuted[0].invariant, Invariant::UnregisterResultAndReach) << refuted[0].message;
  EXPECT_EQ(refuted[0].line, 2);
  EXPECT_EQ(refuted[1].invariant, Invariant::NoCallbackForUnregisteredCell) << refuted[1].message;
  EXPECT_EQ(refuted[1].line, 3);
}

// Many look-alike cells decide as fast as a few: 200 cells, 100 callbacks, and answers
// that claim one cell too many went.
TEST(Attribution, DecidesManyLookAlikesAtOnce) {
  std::string observations;
  for (int i = 1; i <= 200; ++i) observations += fmt::format("reg 0 @{} a @{}\n", i, 1000 + i);
  for (int i = 1; i <= 100; ++i) observations += "cb 0 a\n";
  for (int i = 1; i <= 200; ++i) {
    observations += fmt::format("unreg 0 @{} {}\n", 1000 + i, i <= 99 ? "true" : "false");
  }
  Ledger ledger;
  Read(observations, ledger);
  const std::vector<Violation> refuted = ledger.attribution.Refute();
  ASSERT_EQ(refuted.size(), 1u);
  EXPECT_EQ(refuted[0].invariant, Invariant::UnregisterResultAndReach) << refuted[0].message;
}

}  // namespace
}  // namespace finrig
