#include <mcqgen/errors.hpp>

namespace mcqgen {
namespace {

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

std::string_view to_string(errc e) noexcept {
    switch (e) {
    case errc::ok:
        return "ok";
    case errc::invalid_argument:
        return "invalid_argument";
    case errc::storage:
        return "storage";
    case errc::network:
        return "network";
    case errc::tls:
        return "tls";
    case errc::auth:
        return "auth";
    case errc::rate_limited:
        return "rate_limited";
    case errc::server:
        return "server";
    case errc::timeout:
        return "timeout";
    case errc::cancelled:
        return "cancelled";
    case errc::bad_response:
        return "bad_response";
    case errc::internal:
        return "internal";
    case errc::not_found:
        return "not_found";
    }
    return "unknown";
}

Error::Error(errc code, const std::string& message)
    : std::system_error(make_error_code(code), message), message_(message) {}

} // namespace mcqgen
