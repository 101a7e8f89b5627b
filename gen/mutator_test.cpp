// The structure-aware mutator (gen/mutator.h): on the seed programs and on the empty input,
// its output decodes to a program, stays within maxSize, depends only on the input and
// the seed, and every kind of mutation happens.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>
#include <vector>

#include "fuzz/harness.h"
#include "gen/mutator.h"
#include "model/binary.h"
#include "model/text.h"
#include "model/test_support.h"

namespace finrig::gen {
namespace {

using Bytes = std::vector<std::uint8_t>;

// The binary forms of corpus/**/*.fr (the fuzzer's seeds), and the empty input.
std::vector<Bytes> Seeds() {
  std::vector<Bytes> seeds = {Bytes{}};
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::filesystem::path(FINRIG_SOURCE_DIR) / "corpus")) {
    if (entry.path().extension() == ".fr") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const std::string relative = std::filesystem::relative(file, FINRIG_SOURCE_DIR).string();
    seeds.push_back(EncodeProgram(testing::LoadSourceProgram(relative)));
  }
  return seeds;
}

// A deterministic stand-in for LLVMFuzzerMutate: flips a byte, or appends one.
std::size_t FakeByteMutator(std::uint8_t* data, std::size_t size, std::size_t maxSize) {
  if (size > 0 && (size % 2 == 0 || size == maxSize)) {
    data[size / 2] ^= 0x5a;
    return size;
  }
  data[size] = 0x2a;
  return size + 1;
}

struct Mutated {
  Bytes bytes;
  std::vector<Mutation> applied;
};

Mutated Mutate(const Bytes& input, std::size_t maxSize, unsigned seed, ByteMutator byteMutator) {
  Bytes buffer = input;
  buffer.resize(std::max(maxSize, input.size()));
  std::vector<Mutation> applied;
  const std::size_t size = MutateProgram(buffer.data(), input.size(), maxSize, seed, byteMutator, &applied);
  EXPECT_LE(size, maxSize);
  buffer.resize(std::min(size, buffer.size()));
  return {buffer, applied};
}

bool Canonical(const Bytes& bytes) { return EncodeProgram(DecodeProgram(bytes)) == bytes; }

TEST(Mutator, StructuralMutationsAreCanonicalProgramsWithinMaxSize) {
  const std::vector<Bytes> seeds = Seeds();
  ASSERT_GT(seeds.size(), 50u);
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    for (unsigned seed = 0; seed < 40; ++seed) {
      const Mutated out = Mutate(seeds[s], 4096, seed * 7919 + static_cast<unsigned>(s), nullptr);
      ASSERT_FALSE(out.applied.empty());
      // Without a byte mutator the output is an encoded program, the valid kind.
      ASSERT_TRUE(Canonical(out.bytes)) << "seed file " << s << " seed " << seed;
      // And the model runs it (the target's own check, on the clean model).
      ASSERT_EQ(fuzz::FuzzModel(out.bytes, {}), std::nullopt) << PrintProgram(DecodeProgram(out.bytes));
    }
  }
}

TEST(Mutator, NeverExceedsMaxSize) {
  const std::vector<Bytes> seeds = Seeds();
  for (std::size_t maxSize : {0, 1, 2, 3, 4, 8, 16, 40}) {
    for (std::size_t s = 0; s < seeds.size(); s += 3) {
      for (unsigned seed = 0; seed < 10; ++seed) {
        for (ByteMutator byteMutator : {ByteMutator{nullptr}, &FakeByteMutator}) {
          const Mutated out = Mutate(seeds[s], maxSize, seed, byteMutator);
          ASSERT_LE(out.bytes.size(), maxSize);
          DecodeProgram(out.bytes);  // total: never throws, never crashes
        }
      }
    }
  }
}

TEST(Mutator, DeterministicPerSeed) {
  const std::vector<Bytes> seeds = Seeds();
  for (std::size_t s = 0; s < seeds.size(); s += 5) {
    for (unsigned seed = 0; seed < 20; ++seed) {
      const Mutated a = Mutate(seeds[s], 512, seed, &FakeByteMutator);
      const Mutated b = Mutate(seeds[s], 512, seed, &FakeByteMutator);
      EXPECT_EQ(a.bytes, b.bytes);
      EXPECT_EQ(a.applied, b.applied);
    }
  }
  // Different seeds give different programs.
  std::set<Bytes> outputs;
  for (unsigned seed = 0; seed < 50; ++seed) outputs.insert(Mutate(seeds[10], 512, seed, nullptr).bytes);
  EXPECT_GT(outputs.size(), 40u);
}

TEST(Mutator, MutationsChangeTheInput) {
  const std::vector<Bytes> seeds = Seeds();
  int same = 0, total = 0;
  for (std::size_t s = 1; s < seeds.size(); ++s) {
    for (unsigned seed = 0; seed < 20; ++seed) {
      same += Mutate(seeds[s], 4096, seed, nullptr).bytes == seeds[s] ? 1 : 0;
      ++total;
    }
  }
  EXPECT_LT(same * 100, total) << same << " of " << total << " unchanged";
}

TEST(Mutator, EveryMutationKindHappens) {
  const std::vector<Bytes> seeds = Seeds();
  std::array<int, kMutationCount> counts{};
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    for (unsigned seed = 0; seed < 30; ++seed) {
      for (Mutation m : Mutate(seeds[s], 4096, seed * 31 + static_cast<unsigned>(s), &FakeByteMutator).applied) {
        ++counts[static_cast<std::size_t>(m)];
      }
    }
  }
  for (int m = 0; m < kMutationCount; ++m) {
    EXPECT_GT(counts[static_cast<std::size_t>(m)], 0) << MutationName(static_cast<Mutation>(m));
  }
}

// Each structural kind, on its own, changes some program, and its result encodes to a
// program (what MutateProgram writes).
TEST(Mutator, EachStructuralKindChangesPrograms) {
  const std::vector<Bytes> seeds = Seeds();
  for (int m = 0; m < kMutationCount; ++m) {
    const auto mutation = static_cast<Mutation>(m);
    if (mutation == Mutation::ByteOp || mutation == Mutation::ByteAll) continue;
    int changed = 0;
    for (std::size_t s = 0; s < seeds.size(); ++s) {
      const Program program = DecodeProgram(seeds[s]);
      const Bytes out = EncodeProgram(MutateStructure(program, mutation, static_cast<unsigned>(s)));
      changed += EncodeProgram(DecodeProgram(out)) != seeds[s] ? 1 : 0;
    }
    EXPECT_GT(changed * 2, static_cast<int>(seeds.size())) << MutationName(mutation);
  }
}

TEST(Mutator, EditBodyMakesAndEditsBodies) {
  // From a program without bodies, edit-body makes one.
  const Program plain = ParseProgram("h0 = registry\nh1 = object\nregister h0 h1 \"x\"\n");
  int withBody = 0;
  for (unsigned seed = 0; seed < 20; ++seed) {
    const Program out = DecodeProgram(EncodeProgram(MutateStructure(plain, Mutation::EditBody, seed)));
    for (const Op& op : out.ops) withBody += op.kind == OpKind::NewRegistry && !op.body.empty() ? 1 : 0;
  }
  EXPECT_GE(withBody, 15);
  // In a program with a body, it changes the body and leaves the top level alone.
  const Program bodied = ParseProgram(
      "h0 = registry {\n  h2 = object\n  register h0 h2 held\n}\nh1 = object\n"
      "register h0 h1 \"x\"\ndrop h1\ngc\nturn\n");
  int bodyOnly = 0;
  for (unsigned seed = 0; seed < 40; ++seed) {
    const Program out = DecodeProgram(EncodeProgram(MutateStructure(bodied, Mutation::EditBody, seed)));
    ASSERT_EQ(out.ops.size(), bodied.ops.size());
    bool topSame = true;
    for (std::size_t i = 1; i < out.ops.size(); ++i) {
      topSame = topSame && EncodeProgram(Program{.ops = {out.ops[i]}}) ==
                               EncodeProgram(Program{.ops = {StripToSemantics(bodied).ops[i]}});
    }
    bodyOnly += topSame ? 1 : 0;
  }
  EXPECT_EQ(bodyOnly, 40);
}

TEST(Mutator, ByteOpMutatesOneOpsBytes) {
  const Bytes input = EncodeProgram(ParseProgram("h0 = registry\nh1 = object\nregister h0 h1 \"x\"\ngc\n"));
  int byteOps = 0;
  for (unsigned seed = 0; seed < 400; ++seed) {
    const Mutated out = Mutate(input, 64, seed, &FakeByteMutator);
    if (out.applied != std::vector<Mutation>{Mutation::ByteOp}) continue;
    ++byteOps;
    // One op's bytes changed: a common prefix and suffix cover all but a few bytes.
    std::size_t prefix = 0;
    while (prefix < std::min(input.size(), out.bytes.size()) && input[prefix] == out.bytes[prefix]) ++prefix;
    std::size_t suffix = 0;
    while (suffix < std::min(input.size(), out.bytes.size()) - prefix &&
           input[input.size() - 1 - suffix] == out.bytes[out.bytes.size() - 1 - suffix]) {
      ++suffix;
    }
    EXPECT_GE(prefix + suffix + 1, input.size());
  }
  EXPECT_GT(byteOps, 10);
}

TEST(CrossOver, SplicesProgramsWithinMaxSize) {
  const std::vector<Bytes> seeds = Seeds();
  std::set<Bytes> outputs;
  for (std::size_t s = 0; s + 1 < seeds.size(); ++s) {
    const Bytes& a = seeds[s];
    const Bytes& b = seeds[seeds.size() - 1 - s];
    for (unsigned seed = 0; seed < 6; ++seed) {
      for (std::size_t maxSize : {std::size_t{3}, std::size_t{64}, std::size_t{4096}}) {
        Bytes out(maxSize);
        const std::size_t size = CrossOver(a.data(), a.size(), b.data(), b.size(), out.data(), maxSize, seed);
        ASSERT_LE(size, maxSize);
        out.resize(size);
        ASSERT_TRUE(Canonical(out));
        if (maxSize == 4096) {
          ASSERT_EQ(fuzz::FuzzModel(out, {}), std::nullopt);
          outputs.insert(out);
        }
        Bytes again(maxSize);
        again.resize(CrossOver(a.data(), a.size(), b.data(), b.size(), again.data(), maxSize, seed));
        EXPECT_EQ(out, again);
      }
    }
  }
  EXPECT_GT(outputs.size(), seeds.size());
}

TEST(CrossOver, KeepsOpsOfBoth) {
  const Bytes a = EncodeProgram(ParseProgram("h0 = registry\nh1 = object\nh2 = object\n"));
  const Bytes b = EncodeProgram(ParseProgram("# profile: es2021\nh3 = object\ngc\nturn\n"));
  int mixed = 0;
  for (unsigned seed = 0; seed < 40; ++seed) {
    Bytes out(256);
    out.resize(CrossOver(a.data(), a.size(), b.data(), b.size(), out.data(), out.size(), seed));
    const Program child = DecodeProgram(out);
    bool fromA = false, fromB = false;
    for (const Op& op : child.ops) {
      fromA = fromA || op.kind == OpKind::NewRegistry || (op.dest && *op.dest < 3);
      fromB = fromB || op.kind == OpKind::Gc || op.kind == OpKind::Turn || (op.dest && *op.dest == 3);
    }
    mixed += fromA && fromB ? 1 : 0;
  }
  EXPECT_GT(mixed, 10);
}

}  // namespace
}  // namespace finrig::gen
