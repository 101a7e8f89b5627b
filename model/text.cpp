// The .fr text form: a line-by-line recursive-descent reader and the canonical printer.
//
// Reading happens one line at a time: each line is checked for UTF-8, split into tokens
// (words, string literals, the punctuation ( ) { } =, and a comment running to the end
// of the line), and then parsed by one function per construct. Errors name the line,
// the byte column of the offending token, what was expected and what was found.
//
// Choices docs/LANGUAGE.md leaves open, made here:
// - Numbers are -?digits[.digits][(e|E)[+|-]digits] (leading zeros and trailing
//   fraction zeros accepted), or NaN, Infinity, -Infinity. A leading '+', a bare '.5'
//   or '1.', hex and anything else are errors, as is a number that overflows a double
//   or underflows to zero (a subnormal result is accepted).
// - BigInts are -?digits followed by 'n'; leading zeros are accepted and normalized.
//   Heap ids, job positions and limits accept leading zeros; handles do not (the doc).
// - ( ) { } = are tokens of their own, so `h0=object` and `Symbol.for ( "k" )` read the
//   same as their canonical spellings.
// - A raw tab or other byte below 0x20 inside a string is an error (it must be escaped);
//   outside strings and comments, a control byte (a lone \r included) is an error.
// - Comments that have no op line of their own to sit on: a comment on an `expect` or
//   `}` line, or full-line comments before a `}` or between an op and its expectations,
//   go to the next op (or to Program::trailingComments at the end of the file). So
//   nothing is lost; printing moves them in front of that op.
// - A full-line comment whose text starts with "profile:" is a profile header: it must
//   stand before the first op, only once, and name es2021 or es2023. One starting with
//   "budget:" is the callback budget header, as strict, with a number from 0 to
//   kMaxCallbackBudget. The printer writes such comment text with an extra space so
//   that it reads back as a plain comment.

#include "model/text.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/op_facts.h"
#include "model/overloaded.h"
#include "model/utf8.h"

namespace finrig {

ParseError::ParseError(std::string file, int line, int column, std::string message)
    : std::runtime_error(fmt::format("{}:{}:{}: {}", file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

namespace {

using OperandOrHeapId = std::variant<Operand, HeapId>;
using ExpectationKind = decltype(Expectation::what);

constexpr std::string_view kProfilePrefix = "profile:";
constexpr std::string_view kBudgetPrefix = "budget:";
constexpr std::string_view kOperandWhat = "an operand (handle, literal or held)";
constexpr std::string_view kValueWhat = "a value (handle, literal, held or @N)";

// The words of the gc and turn options' values, indexed by the enums they spell.
constexpr std::array<std::string_view, 3> kEnqueueWords = {"one", "none", "each"};  // JobsEnqueued
constexpr std::array<std::string_view, 2> kHoldWords = {"strong", "weak"};          // JobHold
constexpr std::array<std::string_view, 2> kOrderWords = {"fifo", "lifo"};           // CellOrder
// RegistryNewTarget past Constructor, which is not written.
constexpr std::array<std::string_view, 2> kNewTargetWords = {"undefined", "throwing"};

// The options' syntax, for messages.
constexpr std::string_view kGcSyntax = "gc [@id …] [enqueue none|one|each] [hold strong|weak]";
constexpr std::string_view kTurnSyntax = "turn [jobs I …] [order fifo|lifo] [limit N] [repost]";
constexpr std::string_view kRegistrySyntax =
    "registry [newtarget undefined|throwing] [callback <operand> | [async] [captures <operand> …]]";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsDigit);
}

bool IsControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

bool IsPunct(char c) {
  return c == '(' || c == ')' || c == '{' || c == '}' || c == '=';
}

bool IsWordByte(char c) {
  return c != ' ' && c != '\t' && c != '#' && c != '"' && !IsPunct(c) && !IsControl(c);
}

// `h` and a decimal number; whether the number is a valid handle is checked later, so
// that `h256` and `h01` get errors about handles rather than about unknown words.
bool IsHandleWord(std::string_view word) {
  return word.size() >= 2 && word[0] == 'h' && AllDigits(word.substr(1));
}

// -?digits[.digits][(e|E)[+|-]digits]: checked here because std::from_chars also takes
// "inf", "nan", "1." and stops early at junk.
bool IsDecimalNumber(std::string_view text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (!digits()) return false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

// Decimal digits to uint32; nullopt when out of range.
std::optional<std::uint32_t> ParseUint32(std::string_view digits) {
  std::uint32_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

// A decimal that IsDecimalNumber accepted, to the nearest double; nullopt when it
// overflows or underflows to zero (subnormal results are kept).
std::optional<double> DecimalToDouble(std::string_view decimal) {
#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION < 200000
  // libc++ before LLVM 20 (OSS-Fuzz's toolchain among them) has no std::from_chars for
  // double. strtod gives the same answers: it sets ERANGE on overflow (returning
  // infinity) and on any underflow, of which only a zero result is out of range.
  const std::string terminated(decimal);
  errno = 0;
  const double value = std::strtod(terminated.c_str(), nullptr);
  if (errno == ERANGE && (std::isinf(value) || value == 0)) return std::nullopt;
  return value;
#else
  double value = 0;
  const char* end = decimal.data() + decimal.size();
  const auto [stop, error] = std::from_chars(decimal.data(), end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
#endif
}

int HexDigitValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Input text quoted for a message: control bytes spelled \xHH, long text cut short.
std::string Shown(std::string_view text) {
  constexpr std::size_t kMaxBytes = 40;
  std::string out = "'";
  std::size_t i = 0;
  while (i < text.size() && i < kMaxBytes) {
    const std::size_t length = Utf8SequenceLength(text, i);
    if (IsControl(text[i]) || length == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out += text.substr(i, length);
      i += length;
    }
  }
  if (i < text.size()) out += "…";
  return out + "'";
}

enum class TokenKind { Word, String, Punct, Comment };

struct Token {
  TokenKind kind;
  std::string_view source;  // as written (String: quotes included; Comment: from '#')
  std::string value;        // String: the bytes it denotes; Comment: its stored text
  int column;               // 1-based byte column
};

struct Line {
  int number = 0;
  std::string_view text;      // without the line end
  std::vector<Token> tokens;  // a Comment token, if any, is the last
};

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  Program Parse() {
    ParseBody(program_.ops, 0);
    program_.trailingComments = std::move(pendingComments_);
    return std::move(program_);
  }

 private:
  // ---- Lines and tokens

  // Reads and tokenizes the next line; false at the end of the text.
  bool NextLine() {
    if (atEnd_) return false;
    const std::size_t newline = text_.find('\n', offset_);
    std::string_view text;
    if (newline == std::string_view::npos) {
      text = text_.substr(offset_);
      atEnd_ = true;
    } else {
      text = text_.substr(offset_, newline - offset_);
      offset_ = newline + 1;
      if (text.ends_with('\r')) text.remove_suffix(1);  // a \r\n line end
    }
    line_ = Line{.number = line_.number + 1, .text = text, .tokens = {}};
    pos_ = 0;
    CheckUtf8();
    Tokenize();
    return true;
  }

  void CheckUtf8() const {
    const std::string_view text = line_.text;
    for (std::size_t i = 0; i < text.size();) {
      const std::size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        Fail(Column(i), fmt::format("invalid UTF-8 byte 0x{:02x}",
                                    static_cast<unsigned char>(text[i])));
      }
      i += length;
    }
  }

  void Tokenize() {
    const std::string_view text = line_.text;
    std::size_t i = 0;
    while (i < text.size()) {
      const char c = text[i];
      if (c == ' ' || c == '\t') {
        ++i;
      } else if (c == '#') {
        std::string_view comment = text.substr(i + 1);
        if (comment.starts_with(' ')) comment.remove_prefix(1);
        AddToken(TokenKind::Comment, i, text.size(), std::string(comment));
        return;
      } else if (c == '"') {
        i = LexString(i);
      } else if (IsPunct(c)) {
        AddToken(TokenKind::Punct, i, i + 1, {});
        ++i;
      } else if (IsControl(c)) {
        Fail(Column(i),
             fmt::format("unexpected control byte 0x{:02x}", static_cast<unsigned char>(c)));
      } else {
        const std::size_t start = i;
        while (i < text.size() && IsWordByte(text[i])) ++i;
        AddToken(TokenKind::Word, start, i, {});
      }
    }
  }

  void AddToken(TokenKind kind, std::size_t start, std::size_t end, std::string value) {
    line_.tokens.push_back(Token{.kind = kind,
                                 .source = line_.text.substr(start, end - start),
                                 .value = std::move(value),
                                 .column = Column(start)});
  }

  // The string literal whose opening quote is at `start`; returns the index after it.
  std::size_t LexString(std::size_t start) {
    const std::string_view text = line_.text;
    std::string bytes;
    std::size_t i = start + 1;
    while (true) {
      if (i >= text.size()) Fail(Column(start), "unterminated string");
      const char c = text[i];
      if (c == '"') break;
      if (c == '\\') {
        i = LexEscape(start, i, bytes);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        Fail(Column(i), fmt::format("raw control byte 0x{:02x} in a string (write it escaped)",
                                    static_cast<unsigned char>(c)));
      } else {
        bytes += c;
        ++i;
      }
    }
    AddToken(TokenKind::String, start, i + 1, std::move(bytes));
    return i + 1;
  }

  // The escape whose backslash is at `i` inside the string opened at `start`; appends
  // its byte and returns the index after it.
  std::size_t LexEscape(std::size_t start, std::size_t i, std::string& bytes) const {
    const std::string_view text = line_.text;
    if (i + 1 >= text.size()) Fail(Column(start), "unterminated string");
    switch (text[i + 1]) {
      case '"': bytes += '"'; return i + 2;
      case '\\': bytes += '\\'; return i + 2;
      case 'n': bytes += '\n'; return i + 2;
      case 't': bytes += '\t'; return i + 2;
      case 'r': bytes += '\r'; return i + 2;
      case 'x': {
        const int high = i + 2 < text.size() ? HexDigitValue(text[i + 2]) : -1;
        const int low = i + 3 < text.size() ? HexDigitValue(text[i + 3]) : -1;
        if (high < 0 || low < 0) Fail(Column(i), "\\x in a string needs two hex digits");
        bytes += static_cast<char>(high * 16 + low);
        return i + 4;
      }
      default: {
        const std::size_t length = std::max<std::size_t>(1, Utf8SequenceLength(text, i + 1));
        Fail(Column(i), fmt::format("unknown escape {} in a string (use \\\" \\\\ \\n \\t \\r "
                                    "or \\xHH)",
                                    Shown(text.substr(i, 1 + length))));
      }
    }
  }

  int Column(std::size_t index) const { return static_cast<int>(index) + 1; }

  // ---- The cursor over the current line's tokens

  // The next token of the statement, or nullptr at the end of the line or a comment.
  const Token* Peek() const {
    if (pos_ >= line_.tokens.size() || line_.tokens[pos_].kind == TokenKind::Comment) {
      return nullptr;
    }
    return &line_.tokens[pos_];
  }

  bool PeekWord(std::string_view word) const {
    const Token* token = Peek();
    return token != nullptr && token->kind == TokenKind::Word && token->source == word;
  }

  bool PeekPunct(char c) const {
    const Token* token = Peek();
    return token != nullptr && token->kind == TokenKind::Punct && token->source[0] == c;
  }

  // Consumes the token Peek() returned (callers check that there is one).
  const Token& Take() {
    const Token& token = line_.tokens[pos_++];
    consumed_ = token.column - 1 + token.source.size();
    return token;
  }

  void StartStatement() { statementStart_ = consumed_ = line_.tokens[pos_].column - 1; }

  // The statement so far, for "after '...'" in messages.
  std::string Context() const {
    return Shown(line_.text.substr(statementStart_, consumed_ - statementStart_));
  }

  std::string Found() const {
    const Token* token = Peek();
    return token != nullptr ? Shown(token->source) : "end of line";
  }

  // Where the next token is, or where the line's statement ends.
  int PeekColumn() const {
    if (pos_ < line_.tokens.size()) return line_.tokens[pos_].column;
    return Column(line_.text.size());
  }

  [[noreturn]] void Fail(int column, std::string message) const {
    throw ParseError(file_, line_.number, column, std::move(message));
  }

  [[noreturn]] void FailExpected(std::string_view what) const {
    Fail(PeekColumn(), fmt::format("expected {} after {}, found {}", what, Context(), Found()));
  }

  void ExpectPunct(char c) {
    if (!PeekPunct(c)) FailExpected(fmt::format("'{}'", c));
    Take();
  }

  // Ends a statement: nothing but a comment may follow. Returns the comment's text.
  std::optional<std::string> FinishStatement() {
    if (const Token* token = Peek()) {
      Fail(token->column, fmt::format("unexpected {} after {}", Shown(token->source), Context()));
    }
    if (pos_ < line_.tokens.size()) return line_.tokens[pos_].value;
    return std::nullopt;
  }

  // ---- Structure: bodies, comment lines, ops, expectations

  // Ops into `ops` up to the '}' closing the body of the op (a registry or a repeat)
  // opened at line `openedAt` or, with no body open, up to the end of the file.
  void ParseBody(std::vector<Op>& ops, int openedAt, std::string_view opener = "") {
    while (NextLine()) {
      if (line_.tokens.empty()) continue;
      const Token& first = line_.tokens.front();
      if (first.kind == TokenKind::Comment) {
        ParseCommentLine(first);
      } else if (first.kind == TokenKind::Punct && first.source == "}") {
        if (openBodies_ == 0) Fail(first.column, "unexpected '}': no body is open");
        ParseClosingBrace();
        return;
      } else if (first.kind == TokenKind::Word && first.source == "expect") {
        ParseExpectLine(ops);
      } else {
        ops.push_back(ParseOpLine());
      }
    }
    if (openBodies_ > 0) {
      throw ParseError(file_, line_.number, Column(line_.text.size()),
                       fmt::format("expected '}}' closing the body of the {} opened at "
                                   "line {}, found end of file",
                                   opener, openedAt));
    }
  }

  void ParseCommentLine(const Token& comment) {
    if (comment.value.starts_with(kProfilePrefix)) {
      ParseProfileHeader(comment);
    } else if (comment.value.starts_with(kBudgetPrefix)) {
      ParseBudgetHeader(comment);
    } else {
      pendingComments_.push_back(comment.value);
    }
  }

  // A header line's value, trimmed, and its column; once only, before the first op.
  std::pair<std::string_view, int> HeaderValue(const Token& comment, std::string_view prefix,
                                               int& seenAt) {
    if (opSeen_) Fail(comment.column, fmt::format("'# {}' is only allowed before the first op", prefix));
    if (seenAt != 0) {
      Fail(comment.column,
           fmt::format("duplicate '# {}' line (the first is line {})", prefix, seenAt));
    }
    seenAt = line_.number;
    const std::string_view source = comment.source;
    std::size_t start = source.find(prefix) + prefix.size();
    std::size_t end = source.size();
    while (start < end && (source[start] == ' ' || source[start] == '\t')) ++start;
    while (end > start && (source[end - 1] == ' ' || source[end - 1] == '\t')) --end;
    return {source.substr(start, end - start), comment.column + static_cast<int>(start)};
  }

  void ParseProfileHeader(const Token& comment) {
    const auto [name, column] = HeaderValue(comment, kProfilePrefix, profileLine_);
    const std::optional<Profile> profile = ProfileFromName(name);
    if (!profile) {
      Fail(column, fmt::format("# profile: must be es2021 or es2023, found {}",
                               name.empty() ? "nothing" : Shown(name)));
    }
    program_.profile = *profile;
  }

  void ParseBudgetHeader(const Token& comment) {
    const auto [digits, column] = HeaderValue(comment, kBudgetPrefix, budgetLine_);
    const std::optional<std::uint32_t> budget =
        AllDigits(digits) ? ParseUint32(digits) : std::nullopt;
    if (!budget || *budget > static_cast<std::uint32_t>(kMaxCallbackBudget)) {
      Fail(column, fmt::format("# budget: must be a number of callbacks from 0 to {}, found {}",
                               kMaxCallbackBudget, digits.empty() ? "nothing" : Shown(digits)));
    }
    program_.callbackBudget = static_cast<int>(*budget);
  }

  void ParseClosingBrace() {
    StartStatement();
    Take();
    if (std::optional<std::string> comment = FinishStatement()) {
      pendingComments_.push_back(*std::move(comment));
    }
  }

  Op ParseOpLine() {
    StartStatement();
    Op op;
    op.line = line_.number;
    op.column = line_.tokens[pos_].column;
    const bool opensBody = ParseOpHead(op);
    op.trailingComment = FinishStatement().value_or("");
    op.comments = std::exchange(pendingComments_, {});
    // Defined only now: an op's own operands may not use the handle it assigns.
    if (op.dest) defined_.set(*op.dest);
    opSeen_ = true;
    if (opensBody) {
      // A repeat's ops stand where it does and read its `i`; a callback is a function of
      // its own, a level deeper, where the `i` of a repeat around it is not its.
      const bool repeat = op.kind == OpKind::Repeat;
      const bool inRepeat = std::exchange(inRepeat_, repeat);
      const int depth = std::exchange(depth_, repeat ? depth_ : depth_ + 1);
      const std::string_view function = std::exchange(
          function_, repeat ? function_ : op.kind == OpKind::Then ? "a then body" : "a callback body");
      ++openBodies_;
      ParseBody(op.body, op.line, OpKindName(op.kind));
      --openBodies_;
      depth_ = depth;
      function_ = function;
      inRepeat_ = inRepeat;
    }
    return op;
  }

  // Everything of the op's line but a trailing comment; true if it opens a body.
  bool ParseOpHead(Op& op) {
    const Token& first = Take();
    if (first.kind != TokenKind::Word) {
      Fail(first.column, fmt::format("expected an op, found {}", Shown(first.source)));
    }
    if (!IsHandleWord(first.source)) return ParseCommand(op, first);
    op.dest = HandleNumber(first);
    ExpectPunct('=');
    return ParseAssignment(op);
  }

  // After `hN =`: an op that assigns, or an operand (Assign, whose keyword is not
  // written).
  bool ParseAssignment(Op& op) {
    const Token* next = Peek();
    if (next == nullptr) FailExpected(AssigningOpsWhat());
    if (const OpFacts* facts = KeywordOp(*next, [](const OpFacts& f) { return Assigning(f); })) {
      Take();
      op.kind = facts->kind;
    } else if (KeywordOp(*next, [](const OpFacts&) { return true; }) != nullptr) {
      // No operand is spelled like an op, so this is an op that gives nothing to hold.
      Fail(next->column, fmt::format("'{}' gives no value to hold: write it without 'h{} ='",
                                     next->source, *op.dest));
    } else {
      op.kind = OpKind::Assign;
    }
    return ParseOpRest(op);
  }

  static bool Assigning(const OpFacts& facts) {
    return facts.dest == DestUse::Assigns || facts.dest == DestUse::MayAssign;
  }

  // "'object', 'symbol', ... or an operand": what may follow `hN =`.
  static std::string AssigningOpsWhat() {
    std::vector<std::string> words;
    for (const OpFacts& facts : kOpFacts) {
      if (facts.keywordWritten && Assigning(facts)) words.push_back(fmt::format("'{}'", facts.keyword));
    }
    return fmt::format("{} or an operand", fmt::join(words, ", "));
  }

  // The op whose written keyword `token` is, among those `fits` accepts; nullptr if none.
  template <class Fits>
  static const OpFacts* KeywordOp(const Token& token, Fits fits) {
    if (token.kind != TokenKind::Word) return nullptr;
    for (const OpFacts& facts : kOpFacts) {
      if (facts.keywordWritten && facts.keyword == token.source && fits(facts)) return &facts;
    }
    return nullptr;
  }

  // An op that does not start with `hN =`.
  bool ParseCommand(Op& op, const Token& keyword) {
    const OpFacts* facts =
        KeywordOp(keyword, [](const OpFacts& f) { return f.dest != DestUse::Assigns; });
    if (facts == nullptr) {
      if (KeywordOp(keyword, [](const OpFacts&) { return true; }) != nullptr) {
        Fail(keyword.column, fmt::format("'{}' needs a handle to hold the new value: write "
                                         "'hN = {}'",
                                         keyword.source, keyword.source));
      }
      Fail(keyword.column, fmt::format("unknown op {}", Shown(keyword.source)));
    }
    if (facts->kind == OpKind::Repeat && inRepeat_) {
      Fail(keyword.column, "'repeat' is not allowed inside a repeat");
    }
    if (facts->place == Place::TopLevel && depth_ > 0) {
      Fail(keyword.column, fmt::format("'{}' is not allowed inside {}", facts->keyword, function_));
    }
    if (facts->place == Place::Body && depth_ == 0) {
      Fail(keyword.column,
           fmt::format("'{}' is only allowed inside a callback or then body", facts->keyword));
    }
    op.kind = facts->kind;
    return ParseOpRest(op);
  }

  // After the op's keyword, in the order the printer writes them: a handle it drops, its
  // payload, its operands (the optional ones while the line goes on), a '{' opening its
  // body. True if it opens a body.
  bool ParseOpRest(Op& op) {
    const OpFacts& facts = FactsOf(op.kind);
    if (facts.dest == DestUse::Names) op.dest = ParseUsedHandle();
    switch (facts.payload) {
      case Payload::None: break;
      case Payload::Description:
        if (const Token* description = Peek();
            description != nullptr && description->kind == TokenKind::String) {
          op.description = Take().value;
        }
        break;
      case Payload::GcOptions: ParseGcOptions(op); break;
      case Payload::TurnOptions: ParseTurnOptions(op); break;
      case Payload::RegistryOptions:
        if (!ParseRegistryOptions(op)) return facts.opensBody && ParseBodyOpener();
        break;
      case Payload::RepeatCount: {
        const Token* count = Peek();
        const std::optional<std::uint32_t> n =
            count != nullptr && count->kind == TokenKind::Word && AllDigits(count->source)
                ? ParseUint32(count->source)
                : std::nullopt;
        if (!n || *n == 0 || *n > kMaxRepeat) {
          FailExpected(fmt::format("a number of times from 1 to {}", kMaxRepeat));
        }
        Take();
        op.repeatCount = *n;
        if (!PeekPunct('{')) FailExpected("'{' opening the body to repeat");
        Take();
        return true;
      }
    }
    for (int i = 0; i < facts.maxArgs; ++i) {
      if (i >= facts.minArgs && (Peek() == nullptr || PeekPunct('{'))) break;
      op.args.push_back(ParseOperand());
    }
    return facts.opensBody && ParseBodyOpener();
  }

  // registry [newtarget undefined|throwing] [callback <operand> | [async] [captures <operand> …]]:
  // true when `captures` is next, which one operand at least follows (the printer writes
  // the word only then). A callback operand, not being a function, is not async, has no
  // captures and no body: the line ends after it.
  bool ParseRegistryOptions(Op& op) {
    if (PeekWord("newtarget")) {
      Take();
      op.registryNewTarget = static_cast<RegistryNewTarget>(1 + ParseOptionValue(kNewTargetWords));
    }
    if (PeekWord("callback")) {
      Take();
      op.registryCallbackArg = true;
      op.args.push_back(ParseOperand());
      if (Peek() != nullptr) FailExpected("the end of the line (a callback operand has no captures or body)");
      return false;
    }
    RejectMisplacedOptions(kRegistrySyntax, {"newtarget"});
    if (PeekWord("async")) {
      Take();
      op.registryAsync = true;
    }
    RejectMisplacedOptions(kRegistrySyntax, {"newtarget", "callback", "async"});
    if (!PeekWord("captures")) {
      if (Peek() != nullptr && !PeekPunct('{')) {
        FailExpected(op.registryAsync
                         ? "'captures', '{' or the end of the line"
                         : "'newtarget', 'callback', 'async', 'captures', '{' or the end of the line");
      }
      return false;
    }
    Take();
    if (Peek() == nullptr || PeekPunct('{')) FailExpected("an operand the callback captures");
    return true;
  }

  // An optional '{' after `hN = registry`.
  bool ParseBodyOpener() {
    if (!PeekPunct('{')) return false;
    if (depth_ >= kMaxBodyDepth) {
      Fail(Peek()->column,
           fmt::format("callback and then bodies nest at most {} deep", kMaxBodyDepth));
    }
    Take();
    return true;
  }

  // gc [@id …] [enqueue none|one|each] [hold strong|weak]
  void ParseGcOptions(Op& op) {
    while (Peek() != nullptr && !PeekWord("enqueue") && !PeekWord("hold")) {
      const Token* token = Peek();
      if (token->kind != TokenKind::Word || !token->source.starts_with('@')) {
        FailExpected("a heap id like @3, 'enqueue' or 'hold'");
      }
      op.gcOnly.push_back(ParseHeapId());
    }
    if (PeekWord("enqueue")) {
      Take();
      op.gcEnqueue = static_cast<JobsEnqueued>(ParseOptionValue(kEnqueueWords));
    }
    if (PeekWord("hold")) {
      Take();
      op.gcHold = static_cast<JobHold>(ParseOptionValue(kHoldWords));
    }
    RejectMisplacedOptions(kGcSyntax, {"enqueue", "hold"});
  }

  // turn [jobs I …] [order fifo|lifo] [limit N] [repost]
  void ParseTurnOptions(Op& op) {
    if (PeekWord("jobs")) {
      Take();
      std::vector<std::uint32_t> jobs;
      while (Peek() != nullptr && Peek()->kind == TokenKind::Word && IsDigit(Peek()->source[0])) {
        jobs.push_back(ParseCount("a job position"));
      }
      op.turnJobs = std::move(jobs);
    }
    if (PeekWord("order")) {
      Take();
      op.turnOrder = static_cast<CellOrder>(ParseOptionValue(kOrderWords));
    }
    if (PeekWord("limit")) {
      Take();
      op.turnLimit = ParseCount("a callback limit");
    }
    if (PeekWord("repost")) {
      Take();
      op.turnRepost = true;
    }
    RejectMisplacedOptions(kTurnSyntax, {"jobs", "order", "limit", "repost"});
  }

  // The word for one of an option's values (kOrderWords, …), as its index there.
  template <std::size_t N>
  std::size_t ParseOptionValue(const std::array<std::string_view, N>& values) {
    for (std::size_t i = 0; i < N; ++i) {
      if (PeekWord(values[i])) {
        Take();
        return i;
      }
    }
    std::vector<std::string> quoted;
    for (std::string_view value : values) quoted.push_back(fmt::format("'{}'", value));
    const std::string last = quoted.back();
    quoted.pop_back();
    FailExpected(fmt::format("{} or {}", fmt::join(quoted, ", "), last));
  }

  // After an op's options, in their order: one of them again is repeated or misplaced.
  void RejectMisplacedOptions(std::string_view syntax,
                              std::initializer_list<std::string_view> options) {
    for (std::string_view option : options) {
      if (PeekWord(option)) {
        Fail(Peek()->column, fmt::format("{} option '{}' is repeated or out of order ({})",
                                         syntax.substr(0, syntax.find(' ')), option, syntax));
      }
    }
  }

  void ParseExpectLine(std::vector<Op>& ops) {
    StartStatement();
    const Token& keyword = Take();
    if (ops.empty()) Fail(keyword.column, "expect with no op before it");
    Op& op = ops.back();
    Expectation expectation{.what = ParseExpectation(op), .line = line_.number};
    if (std::optional<std::string> comment = FinishStatement()) {
      pendingComments_.push_back(*std::move(comment));
    }
    op.expects.push_back(std::move(expectation));
  }

  // After `expect`, for the expectation of `op`.
  ExpectationKind ParseExpectation(const Op& op) {
    const Token* next = Peek();
    if (next == nullptr) FailExpected("ok, TypeError, NewTargetError, calls, collected or a value");
    if (next->kind == TokenKind::Word) {
      if (next->source == "ok") {
        Take();
        return ExpectOk{};
      }
      if (next->source == "TypeError") {
        Take();
        return ExpectTypeError{};
      }
      if (next->source == "NewTargetError") {
        Take();
        return ExpectNewTargetError{};
      }
      if (next->source == "calls") {
        if (op.kind != OpKind::Turn) Fail(next->column, "'expect calls' follows only a turn");
        Take();
        return ParseExpectedCalls();
      }
      if (next->source == "collected") {
        if (op.kind != OpKind::Gc) Fail(next->column, "'expect collected' follows only a gc");
        Take();
        return ParseExpectedCollected();
      }
    }
    return ExpectValue{ParseOperandOrHeapId()};
  }

  ExpectCalls ParseExpectedCalls() {
    ExpectCalls expected;
    if (PeekWord("none")) {
      Take();
      return expected;
    }
    if (Peek() == nullptr) FailExpected("calls like h1(\"held\") or 'none'");
    while (Peek() != nullptr) {
      ExpectedCall call;
      call.registry = ParseOperandOrHeapId();
      ExpectPunct('(');
      call.held = ParseOperandOrHeapId();
      ExpectPunct(')');
      expected.calls.push_back(std::move(call));
    }
    return expected;
  }

  ExpectCollected ParseExpectedCollected() {
    ExpectCollected expected;
    if (PeekWord("none")) {
      Take();
      return expected;
    }
    if (Peek() == nullptr) FailExpected("heap ids like @0 or 'none'");
    while (Peek() != nullptr) expected.ids.push_back(ParseHeapId());
    return expected;
  }

  // ---- Operands, handles, numbers, literals

  Operand ParseOperand(std::string_view what = kOperandWhat) {
    const Token* token = Peek();
    if (token == nullptr) FailExpected(what);
    if (token->kind == TokenKind::String) return Value{String{Take().value}};
    if (token->kind == TokenKind::Word) {
      if (IsHandleWord(token->source)) return HandleRef{ParseUsedHandle()};
      if (token->source == "held") {
        if (depth_ == 0) Fail(token->column, "'held' is only allowed inside a callback body");
        Take();
        return HeldRef{};
      }
      if (token->source == "i") {
        if (!inRepeat_) Fail(token->column, "'i' is only allowed in the body of a repeat");
        Take();
        return IterationRef{};
      }
      if (std::optional<Value> literal = ParseLiteral()) return *std::move(literal);
    }
    FailExpected(what);
  }

  OperandOrHeapId ParseOperandOrHeapId() {
    const Token* token = Peek();
    if (token != nullptr && token->kind == TokenKind::Word && token->source.starts_with('@')) {
      return OperandOrHeapId(std::in_place_type<HeapId>, ParseHeapId());
    }
    return ParseOperand(kValueWhat);
  }

  // hN (0..255, no leading zeros) from a token IsHandleWord accepted.
  Handle HandleNumber(const Token& token) const {
    const std::string_view digits = token.source.substr(1);
    if (digits.size() > 1 && digits[0] == '0') {
      Fail(token.column, fmt::format("handle number must not have leading zeros, found {}",
                                     Shown(token.source)));
    }
    const std::optional<std::uint32_t> number = ParseUint32(digits);
    if (!number || *number >= kHandleCount) {
      Fail(token.column, fmt::format("handle number must be 0..{}, found {}", kHandleCount - 1,
                                     Shown(token.source)));
    }
    return static_cast<Handle>(*number);
  }

  // A handle some earlier op assigned (operands and `drop`).
  Handle ParseUsedHandle() {
    const Token* token = Peek();
    if (token == nullptr || token->kind != TokenKind::Word || !IsHandleWord(token->source)) {
      FailExpected("a handle like h0");
    }
    const Handle handle = HandleNumber(*token);
    if (!defined_.test(handle)) {
      Fail(token->column, fmt::format("h{} is used before any op assigns it", handle));
    }
    Take();
    return handle;
  }

  HeapId ParseHeapId() {
    const Token* token = Peek();
    if (token == nullptr || token->kind != TokenKind::Word || !token->source.starts_with('@')) {
      FailExpected("a heap id like @3");
    }
    const std::string_view digits = token->source.substr(1);
    if (!AllDigits(digits)) {
      Fail(token->column, fmt::format("bad heap id {} (heap ids look like @3)",
                                      Shown(token->source)));
    }
    const std::optional<std::uint32_t> id = ParseUint32(digits);
    if (!id) {
      Fail(token->column, fmt::format("heap id must be 0..{}, found {}",
                                      std::numeric_limits<HeapId>::max(),
                                      Shown(token->source)));
    }
    Take();
    return *id;
  }

  // A uint32 written in decimal: a job position or a limit.
  std::uint32_t ParseCount(std::string_view what) {
    const Token* token = Peek();
    if (token == nullptr || token->kind != TokenKind::Word || !AllDigits(token->source)) {
      FailExpected(what);
    }
    const std::optional<std::uint32_t> count = ParseUint32(token->source);
    if (!count) {
      Fail(token->column, fmt::format("{} must be 0..{}, found {}", what,
                                      std::numeric_limits<std::uint32_t>::max(),
                                      Shown(token->source)));
    }
    Take();
    return *count;
  }

  // The literal at the next (word) token, consumed; nullopt if the word does not look
  // like one. Words that do look like one but are malformed are errors.
  std::optional<Value> ParseLiteral() {
    const Token& token = *Peek();
    const std::string_view word = token.source;
    std::optional<Value> value;
    if (word == "undefined") {
      value = Undefined{};
    } else if (word == "null") {
      value = Null{};
    } else if (word == "true" || word == "false") {
      value = Value{word == "true"};
    } else if (word == "NaN") {
      value = std::numeric_limits<double>::quiet_NaN();
    } else if (word == "Infinity" || word == "-Infinity") {
      const double infinity = std::numeric_limits<double>::infinity();
      value = word[0] == '-' ? -infinity : infinity;
    } else if (word == "Symbol.for") {
      return ParseRegisteredSymbol();
    } else if (word.starts_with("Symbol.")) {
      value = ParseWellKnownSymbol(token);
    } else if (IsDigit(word[0]) || word[0] == '-' || word[0] == '+' || word[0] == '.') {
      value = word.ends_with('n') ? ParseBigInt(token) : ParseNumber(token);
    }
    if (value) Take();
    return value;
  }

  Value ParseNumber(const Token& token) const {
    const std::string_view word = token.source;
    if (!IsDecimalNumber(word)) {
      Fail(token.column, fmt::format("bad number {} (numbers look like 0, -1.5, 2e-7, NaN, "
                                     "Infinity, -Infinity)",
                                     Shown(word)));
    }
    // The syntax is already checked, so failing here means too large or too small.
    const std::optional<double> number = DecimalToDouble(word);
    if (!number) {
      Fail(token.column, fmt::format("number {} is out of range for a double", Shown(word)));
    }
    return *number;
  }

  Value ParseBigInt(const Token& token) const {
    std::string_view digits = token.source.substr(0, token.source.size() - 1);
    const bool negative = digits.starts_with('-');
    if (negative) digits.remove_prefix(1);
    if (!AllDigits(digits)) {
      Fail(token.column,
           fmt::format("bad BigInt {} (BigInts look like 12n, -3n)", Shown(token.source)));
    }
    // Canonical: no leading zeros (keeping a lone 0), and no "-0".
    digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size() - 1));
    const bool minus = negative && digits != "0";
    return BigInt{(minus ? "-" : "") + std::string(digits)};
  }

  Value ParseRegisteredSymbol() {
    Take();  // Symbol.for
    ExpectPunct('(');
    const Token* key = Peek();
    if (key == nullptr || key->kind != TokenKind::String) FailExpected("a string key");
    RegisteredSymbol symbol{Take().value};
    ExpectPunct(')');
    return symbol;
  }

  Value ParseWellKnownSymbol(const Token& token) const {
    const std::string_view name = token.source.substr(std::string_view("Symbol.").size());
    if (!IsWellKnownSymbolName(name)) {
      Fail(token.column, fmt::format("unknown well-known symbol {}", Shown(token.source)));
    }
    return WellKnownSymbol{std::string(name)};
  }

  const std::string_view text_;
  const std::string& file_;
  std::size_t offset_ = 0;  // where the next line starts in text_
  bool atEnd_ = false;
  Line line_;
  std::size_t pos_ = 0;             // the next token of line_
  std::size_t statementStart_ = 0;  // byte offsets in line_.text, for Context()
  std::size_t consumed_ = 0;
  int depth_ = 0;  // of the callback or then body being read; 0 = top level
  std::string_view function_;  // that body, as messages name it: "a callback body"
  int openBodies_ = 0;     // callback and repeat bodies open around the line
  bool inRepeat_ = false;  // in a repeat's body, in the function the repeat stands in
  std::bitset<kHandleCount> defined_;
  bool opSeen_ = false;
  int profileLine_ = 0;
  int budgetLine_ = 0;
  std::vector<std::string> pendingComments_;  // waiting for the next op
  Program program_;
};

// ---- Printing

std::string HandleText(Handle handle) { return fmt::format("h{}", handle); }

std::string HeapIdText(HeapId id) { return fmt::format("@{}", id); }

std::string OperandText(const Operand& operand) {
  return std::visit(Overloaded{
                        [](HandleRef ref) { return HandleText(ref.handle); },
                        [](HeldRef) { return std::string("held"); },
                        [](const Value& value) { return ToText(value); },
                        [](IterationRef) { return std::string("i"); },
                    },
                    operand);
}

std::string OperandOrHeapIdText(const OperandOrHeapId& value) {
  return std::visit(Overloaded{
                        [](const Operand& operand) { return OperandText(operand); },
                        [](HeapId id) { return HeapIdText(id); },
                    },
                    value);
}

std::string ExpectationText(const Expectation& expectation) {
  return std::visit(
      Overloaded{
          [](ExpectOk) -> std::string { return "expect ok"; },
          [](ExpectTypeError) -> std::string { return "expect TypeError"; },
          [](ExpectNewTargetError) -> std::string { return "expect NewTargetError"; },
          [](const ExpectValue& expected) { return "expect " + OperandOrHeapIdText(expected.value); },
          [](const ExpectCalls& expected) {
            if (expected.calls.empty()) return std::string("expect calls none");
            std::string out = "expect calls";
            for (const ExpectedCall& call : expected.calls) {
              out += fmt::format(" {}({})", OperandOrHeapIdText(call.registry),
                                 OperandOrHeapIdText(call.held));
            }
            return out;
          },
          [](const ExpectCollected& expected) {
            if (expected.ids.empty()) return std::string("expect collected none");
            std::string out = "expect collected";
            for (HeapId id : expected.ids) out += " " + HeapIdText(id);
            return out;
          },
      },
      expectation.what);
}

// Comment text that reads back as itself: line breaks and invalid UTF-8 (possible only
// in programs built in code) become a space and U+FFFD.
std::string CommentText(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = Utf8SequenceLength(text, i);
    if (text[i] == '\n' || text[i] == '\r') {
      out += ' ';
      ++i;
    } else if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out += text.substr(i, length);
      i += length;
    }
  }
  return out;
}

// A full-line comment. Text starting with "profile:" or "budget:" gets an extra space
// so that it does not read back as a header.
std::string CommentLine(std::string_view text) {
  const std::string shown = CommentText(text);
  if (shown.empty()) return "#";
  const bool header = shown.starts_with(kProfilePrefix) || shown.starts_with(kBudgetPrefix);
  return (header ? "#  " : "# ") + shown;
}

void PrintOps(const std::vector<Op>& ops, int depth, std::string& out) {
  const std::string indent(2 * static_cast<std::size_t>(depth), ' ');
  for (const Op& op : ops) {
    for (const std::string& comment : op.comments) out += indent + CommentLine(comment) + '\n';
    out += indent + PrintOpHead(op);
    // A repeat's body is written even when empty: its `{` is not optional.
    const bool body = !op.body.empty() || op.kind == OpKind::Repeat;
    if (body) out += " {";
    if (!op.trailingComment.empty()) out += "  # " + CommentText(op.trailingComment);
    out += '\n';
    if (body) {
      PrintOps(op.body, depth + 1, out);
      out += indent + "}\n";
    }
    // After the closing '}': expectations belong to the op at its own depth.
    for (const Expectation& expectation : op.expects) {
      out += indent + ExpectationText(expectation) + '\n';
    }
  }
}

}  // namespace

Program ParseProgram(std::string_view text, const std::string& file) {
  return Parser(text, file).Parse();
}

std::string PrintProgram(const Program& program) {
  std::string out = fmt::format("# profile: {}\n", ProfileName(program.profile));
  if (program.callbackBudget != kDefaultCallbackBudget) {
    out += fmt::format("# budget: {}\n", program.callbackBudget);
  }
  PrintOps(program.ops, 0, out);
  for (const std::string& comment : program.trailingComments) {
    out += CommentLine(comment) + '\n';
  }
  return out;
}

std::string PrintOpHead(const Op& op) {
  const OpFacts& facts = FactsOf(op.kind);
  std::vector<std::string> words;
  if (op.dest && facts.dest != DestUse::Names) {
    words.push_back(HandleText(*op.dest));
    words.emplace_back("=");
  }
  if (facts.keywordWritten) words.emplace_back(facts.keyword);
  if (op.dest && facts.dest == DestUse::Names) words.push_back(HandleText(*op.dest));
  switch (facts.payload) {
    case Payload::None: break;
    case Payload::Description:
      if (op.description) words.push_back(EscapeString(*op.description));
      break;
    case Payload::GcOptions:
      for (HeapId id : op.gcOnly) words.push_back(HeapIdText(id));
      if (op.gcEnqueue != JobsEnqueued::OnePerRegistry) {
        words.emplace_back("enqueue");
        words.emplace_back(kEnqueueWords[static_cast<std::size_t>(op.gcEnqueue)]);
      }
      if (op.gcHold != JobHold::Strong) {
        words.emplace_back("hold");
        words.emplace_back(kHoldWords[static_cast<std::size_t>(op.gcHold)]);
      }
      break;
    case Payload::TurnOptions:
      if (op.turnJobs) {
        words.emplace_back("jobs");
        for (std::uint32_t job : *op.turnJobs) words.push_back(fmt::format("{}", job));
      }
      if (op.turnOrder != CellOrder::Fifo) {
        words.emplace_back("order");
        words.emplace_back(kOrderWords[static_cast<std::size_t>(op.turnOrder)]);
      }
      if (op.turnLimit) {
        words.emplace_back("limit");
        words.push_back(fmt::format("{}", *op.turnLimit));
      }
      if (op.turnRepost) words.emplace_back("repost");
      break;
    case Payload::RegistryOptions:
      if (op.registryNewTarget != RegistryNewTarget::Constructor) {
        words.emplace_back("newtarget");
        words.emplace_back(kNewTargetWords[static_cast<std::size_t>(op.registryNewTarget) - 1]);
      }
      if (op.registryCallbackArg) {
        words.emplace_back("callback");
        break;
      }
      if (op.registryAsync) words.emplace_back("async");
      if (!op.args.empty()) words.emplace_back("captures");
      break;
    case Payload::RepeatCount: words.push_back(fmt::format("{}", op.repeatCount)); break;
  }
  for (const Operand& arg : op.args) words.push_back(OperandText(arg));
  return fmt::format("{}", fmt::join(words, " "));
}

}  // namespace finrig
