#include <mcqgen/errors.hpp>

#include <array>

namespace mcqgen {
namespace {

// The one table of codes and names: to_string, errc_from_string, the C status strings, every
// range check and the Python error table derive from it.
constexpr std::array<std::string_view, errc_count> names{
    "ok",           "invalid_argument", "storage",   "network", "tls",
    "auth",         "rate_limited",     "server",    "timeout", "cancelled",
    "bad_response", "internal",         "not_found", "busy",
};
static_assert(names.back() == "busy" && static_cast<int>(errc::busy) == errc_count - 1,
              "a new errc is appended to the enum, to errc_count and to this table");

class Category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "mcqgen"; }
    std::string message(int value) const override {
        return std::string(to_string(static_cast<errc>(value)));
    }
};

} // namespace

const std::error_category& error_category() noexcept {
    static const Category category;
    return category;
}

std::optional<errc> errc_from_int(int value) noexcept {
    if (value < 0 || value >= errc_count) return std::nullopt;
    return static_cast<errc>(value);
}

std::string_view to_string(errc e) noexcept {
    const auto code = errc_from_int(static_cast<int>(e));
    return code ? names[static_cast<std::size_t>(*code)] : "unknown";
}

std::optional<errc> errc_from_string(std::string_view name) noexcept {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return static_cast<errc>(i);
    return std::nullopt;
}

Error::Error(errc code, const std::string& message)
    : std::system_error(make_error_code(code), message), message_(message) {}

} // namespace mcqgen
