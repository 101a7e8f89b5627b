// Overloaded{lambdas...}: one visitor for std::visit out of several lambdas.
#pragma once

namespace finrig {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// clang 14 does not deduce aggregate template arguments by itself.
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace finrig
