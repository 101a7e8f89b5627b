// UTF-8 validation, shared by the .fr reader (which rejects invalid files) and the
// string printer (which escapes invalid bytes so canonical text is valid UTF-8).
#pragma once

#include <cstddef>
#include <string_view>

namespace finrig {

// Length (1-4) of the well-formed UTF-8 sequence starting at text[pos], or 0 if the
// bytes there are not one (overlong forms, surrogates and values past U+10FFFF
// included).
std::size_t Utf8SequenceLength(std::string_view text, std::size_t pos);

}  // namespace finrig
