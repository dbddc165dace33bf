#pragma once
// The response headers the policies look at, copied out of the HTTP library's own type so that
// the retry and rate-limit rules stay free of Beast and can be unit-tested without a socket.

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcqgen::detail::claude {

class ResponseHeaders {
  public:
    ResponseHeaders() = default;
    ResponseHeaders(std::initializer_list<std::pair<std::string, std::string>> fields)
        : fields_(fields) {}

    void add(std::string name, std::string value) {
        fields_.emplace_back(std::move(name), std::move(value));
    }

    /// The first value of the header `name` (compared case-insensitively, as HTTP requires).
    std::optional<std::string_view> find(std::string_view name) const {
        auto it = std::find_if(fields_.begin(), fields_.end(),
                               [&](const auto& field) { return same_name(field.first, name); });
        if (it == fields_.end()) return std::nullopt;
        return std::string_view{it->second};
    }

    bool contains(std::string_view name) const { return find(name).has_value(); }

  private:
    static bool same_name(std::string_view a, std::string_view b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
            return std::tolower(static_cast<unsigned char>(x)) ==
                   std::tolower(static_cast<unsigned char>(y));
        });
    }

    std::vector<std::pair<std::string, std::string>> fields_;
};

} // namespace mcqgen::detail::claude
