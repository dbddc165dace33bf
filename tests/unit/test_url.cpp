#include "claude/url.hpp"

#include <mcqgen/errors.hpp>

#include <doctest/doctest.h>

using mcqgen::detail::claude::parse_base_url;

namespace {

mcqgen::errc error_of(const std::string& url, bool allow_http = false) {
    try {
        parse_base_url(url, allow_http);
    } catch (const mcqgen::Error& e) {
        return e.code_value();
    }
    return mcqgen::errc::ok;
}

} // namespace

TEST_SUITE("url") {
    TEST_CASE("an https URL without a port gets port 443 and no path prefix") {
        auto url = parse_base_url("https://api.anthropic.com", false);
        CHECK(url.tls);
        CHECK(url.host == "api.anthropic.com");
        CHECK(url.port == 443);
        CHECK(url.path_prefix.empty());
        CHECK(url.host_header() == "api.anthropic.com");
        CHECK(url.target("/v1/messages") == "/v1/messages");
    }

    TEST_CASE("an explicit port and a path prefix are kept without the trailing slash") {
        auto url = parse_base_url("https://127.0.0.1:8443/proxy/claude/", false);
        CHECK(url.host == "127.0.0.1");
        CHECK(url.port == 8443);
        CHECK(url.path_prefix == "/proxy/claude");
        CHECK(url.host_header() == "127.0.0.1:8443");
        CHECK(url.authority() == "127.0.0.1:8443");
        CHECK(url.target("/v1/messages") == "/proxy/claude/v1/messages");
    }

    TEST_CASE("a lone slash as the path means no prefix") {
        CHECK(parse_base_url("https://example.com/", false).path_prefix.empty());
    }

    TEST_CASE("the scheme and host are case-insensitive and stored in lower case") {
        auto url = parse_base_url("HTTPS://API.Anthropic.COM", false);
        CHECK(url.tls);
        CHECK(url.host == "api.anthropic.com");
    }

    TEST_CASE("an IPv6 literal is unbracketed for connecting and bracketed in the Host header") {
        auto url = parse_base_url("https://[::1]:9443", false);
        CHECK(url.host == "::1");
        CHECK(url.port == 9443);
        CHECK(url.host_header() == "[::1]:9443");
        CHECK(parse_base_url("https://[::1]", false).port == 443);
    }

    TEST_CASE("http is refused unless insecure http is allowed") {
        CHECK(error_of("http://127.0.0.1:8080") == mcqgen::errc::invalid_argument);
        auto url = parse_base_url("http://127.0.0.1:8080", true);
        CHECK_FALSE(url.tls);
        CHECK(url.port == 8080);
        CHECK(parse_base_url("http://localhost", true).port == 80);
        CHECK(parse_base_url("http://localhost", true).host_header() == "localhost");
    }

    TEST_CASE("malformed URLs are rejected as invalid arguments") {
        for (const char* url : {"",
                                "api.anthropic.com",
                                "ftp://example.com",
                                "https://",
                                "https:///v1",
                                "https://:443",
                                "https://host:",
                                "https://host:0",
                                "https://host:65536",
                                "https://host:12ab",
                                "https://host:-1",
                                "https://ho st",
                                "https://host/a b",
                                "https://host?x=1",
                                "https://host/v1?x=1",
                                "https://host#top",
                                "https://host/v1#top",
                                "https://[::1",
                                "https://[::1]x",
                                "https://[]",
                                "https://host:443:1",
                                "https://exa\nmple.com",
                                "https//host"}) {
            CAPTURE(url);
            CHECK(error_of(url, true) == mcqgen::errc::invalid_argument);
        }
    }

    TEST_CASE("user info is rejected without quoting it back") {
        try {
            parse_base_url("https://user:sk-secret@example.com", false);
            FAIL("expected an error");
        } catch (const mcqgen::Error& e) {
            CHECK(e.code_value() == mcqgen::errc::invalid_argument);
            CHECK(std::string{e.what()}.find("sk-secret") == std::string::npos);
        }
    }
}
