// Signatures: one per bug. Programs that show the same fault in different ways (other
// values, other handles, padding, another first symptom) get the same signature;
// another fault's programs do not; and a signature says what the finding is about.
#include "model/signature.h"

#include <gtest/gtest.h>

#include "model/text.h"
#include "model/test_support.h"

namespace finrig {
namespace {

using testing::LoadSourceProgram;
using testing::RunAndCheck;

FaultSet Only(Fault fault) {
  FaultSet faults;
  faults.Add(fault);
  return faults;
}

Signature WitnessSignature(const Program& program, FaultSet faults) {
  const std::optional<Witness> witness = SimplestWitness(program, faults, program.profile);
  EXPECT_TRUE(witness.has_value()) << PrintProgram(program);
  return witness ? witness->signature : Signature{};
}

TEST(Signature, NamesTheInvariantTheOpAndTheShape) {
  const Program program = ParseProgram(
      "h0 = registry\nh1 = object\nregister h0 h1 1\ndrop h1\ngc\nturn\n", "<test>");
  const Signature signature =
      SignatureOf(program, RunAndCheck(program, Only(Fault::DoubleDelivery)));
  EXPECT_EQ(signature.kind, "invariant 5 at turn");
  EXPECT_EQ(signature.shape, "register gc turn");
  EXPECT_EQ(signature.Text(), "invariant 5 at turn | register gc turn");
  EXPECT_EQ(signature.Id().rfind("invariant-5-at-turn-", 0), 0u) << signature.Id();
  EXPECT_EQ(signature.Id().size(), std::string("invariant-5-at-turn-").size() + 8);
}

TEST(Signature, CallbacksArePartOfTheShapeAndOpsInThemSaySo) {
  const Program program = ParseProgram(
      "h0 = registry {\n  h3 = object\n  register h0 h3 held\n}\nh1 = object\nh2 = registry\n"
      "gc\n",
      "<test>");
  EXPECT_EQ(ProgramShape(program), "registry{register} gc");
  EXPECT_EQ(ProgramShape(ParseProgram("h0 = registry async {\n  throw\n}\ngc\n", "<test>")),
            "registry async{throw} gc");
  const Violation inBody{.invariant = Invariant::OneCallbackPerCellWithItsHeldValue,
                         .message = "",
                         .op = &program.ops[0].body[1]};
  EXPECT_EQ(ViolationKind(inBody, program), "invariant 5 at callback register");
  const Violation atEnd{.invariant = Invariant::Completeness, .message = ""};
  EXPECT_EQ(ViolationKind(atEnd, program), "invariant 12 at end");
}

// Else SpiderMonkey's NewTarget bug, minimized to its one registry, would read as
// "engine error | ", like any script check failing in a program of values.
TEST(Signature, ARegistryMadeAnotherWayIsPartOfTheShape) {
  EXPECT_EQ(ProgramShape(ParseProgram("h0 = registry newtarget throwing\ngc\n", "<test>")),
            "registry{} gc");
  EXPECT_EQ(ProgramShape(ParseProgram("h0 = registry callback undefined\n", "<test>")),
            "registry{}");
  EXPECT_EQ(ProgramShape(ParseProgram("h0 = registry\ngc\n", "<test>")), "gc");
}

TEST(Signature, SameBugSameSignatureWhateverTheValuesPaddingAndFirstSymptom) {
  const FaultSet faults = Only(Fault::DoubleDelivery);
  const Signature original =
      WitnessSignature(LoadSourceProgram("corpus/faults/double-delivery.fr"), faults);
  // A symbol as the target, other handles, unrelated ops around it.
  const Program padded = ParseProgram(
      "h7 = object\nh9 = symbol \"pad\"\nh3 = registry\nlink h7 h9\n"
      "register h3 h9 \"other\"\nunlink h7 h9\nh9 = 1\nh8 = object\ngc\nturn\nturn\n",
      "<test>");
  // Two cells with one token, which the callback unregisters: the checker first sees
  // the fault as a callback for an unregistered cell (invariant 1), not as a second one.
  const Program otherSymptom = ParseProgram(
      "h0 = registry {\n  unregister h0 held\n}\nh1 = object\nh2 = object\n"
      "register h0 h1 h2 h2\nregister h0 h1 h2 h2\ndrop h1\ngc\nturn\n",
      "<test>");
  ASSERT_FALSE(RunAndCheck(otherSymptom, faults).empty());
  EXPECT_EQ(RunAndCheck(otherSymptom, faults).front().invariant,
            Invariant::NoCallbackForUnregisteredCell);
  EXPECT_EQ(WitnessSignature(padded, faults).Text(), original.Text());
  EXPECT_EQ(WitnessSignature(otherSymptom, faults).Text(), original.Text());
}

TEST(Signature, DifferentBugsDifferentSignatures) {
  const Signature doubled = WitnessSignature(
      LoadSourceProgram("corpus/faults/double-delivery.fr"), Only(Fault::DoubleDelivery));
  const Signature unregistered =
      WitnessSignature(LoadSourceProgram("corpus/faults/callback-after-unregister.fr"),
                       Only(Fault::CallbackAfterUnregister));
  EXPECT_NE(doubled.Id(), unregistered.Id());
}

TEST(Signature, NoViolationNoWitness) {
  EXPECT_FALSE(SimplestWitness(LoadSourceProgram("corpus/faults/double-delivery.fr"), {},
                               Profile::Es2023)
                   .has_value());
}

}  // namespace
}  // namespace finrig
