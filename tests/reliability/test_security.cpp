// Security: the API key never leaves the request header, whatever fails; TLS refuses peers it
// cannot verify before anything is sent; an http:// endpoint needs an explicit opt-in.
// (tests/integration/test_claude_pipeline.cpp covers the basic cases; this extends the matrix
// to every fault kind, the CLI, resume, and the environment.)

#include "fake_claude_client.hpp"
#include "reliability_support.hpp"

#include <chrono>
#include <mutex>

using namespace mcqgen;
using namespace std::chrono_literals;
using reliability::ScopedEnv;

namespace {

const std::string secret = "test-key-api03-SECRET-c0ffee-5a1t";

const char* fault_kinds[] = {
    "429",   "529",       "500",       "503",       "should_not_retry", "reset_before", "reset_mid",
    "stall", "malformed", "truncated", "text_only", "max_tokens",       "wrong_shape",  "refusal"};

fake_claude::Options server_options() {
    return test_support::fake_server_options(secret, 2ms);
}

Config claude_config(const fake_claude::Server& server) {
    auto c = test_support::fake_claude_config(server, secret);
    c.pipeline.seed = 5;
    c.http.max_retries = 1;
    c.http.request_timeout = 400ms;
    c.http.max_retry_after = 200ms;
    return c;
}

// Everything a run shows anyone: log lines, progress messages, errors, records, JSON, files.
class Evidence {
  public:
    void attach(Config& config) {
        config.log = [this](std::string_view line) { add(line); };
    }
    ProgressCallback progress() {
        return [this](const Progress& p) { add(p.message); };
    }
    void add(std::string_view text) {
        std::lock_guard lock(mutex_);
        all_ += text;
        all_ += '\n';
        ++pieces_;
    }
    void add_storage(Storage& storage) {
        for (const auto& test : storage.tests()) {
            add(test.message);
            add(to_json(test, storage.questions(test.id)));
        }
        add(to_json(storage.tests()));
    }
    void add_files(const std::filesystem::path& dir) {
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            add(test_support::read_file(entry.path()));
    }
    // The key, and any long piece of it, must be absent.
    void check_clean() const {
        CHECK(pieces_ > 0);
        CHECK(all_.find(secret) == std::string::npos);
        CHECK(all_.find("SECRET-c0ffee") == std::string::npos);
        CHECK(all_.find(secret.substr(secret.size() - 12)) == std::string::npos);
    }
    std::size_t pieces() const { return pieces_; }

  private:
    std::mutex mutex_;
    std::string all_;
    std::size_t pieces_ = 0;
};

struct Outcome {
    std::optional<Test> test;
    std::optional<Error> error;
};

Outcome generate(const Config& config, Storage& storage, Evidence& evidence, int count = 1) {
    try {
        return {Generator(config).generate(test_support::sample_document(), count, storage,
                                           evidence.progress()),
                {}};
    } catch (const Error& e) {
        evidence.add(e.what());
        evidence.add(e.message());
        return {{}, e};
    }
}

} // namespace

TEST_SUITE("reliability_security") {
    TEST_CASE("the API key is in no log line progress message error stored row JSON or file "
              "whatever fails") {
        test_support::TempDir dir;
        Evidence evidence;
        fake_claude::Server server(server_options());
        int runs = 0, failed_runs = 0;
        {
            SqliteStorage storage(dir / "t.db");
            // Every fault kind on every request: runs that fail, after retries and logging.
            for (const char* kind : fault_kinds) {
                INFO("fault kind: ", kind);
                server.set_faults(std::string(kind) + "*");
                auto config = claude_config(server);
                evidence.attach(config);
                const auto outcome = generate(config, storage, evidence);
                ++runs;
                failed_runs += outcome.error || outcome.test->status != Status::completed;
                // Resume goes through the same paths again, with the stored record.
                if (outcome.test) {
                    try {
                        Generator(config).resume(outcome.test->id, storage, evidence.progress());
                    } catch (const Error& e) {
                        evidence.add(e.what());
                    }
                }
            }
            server.set_faults("");
            // A wrong key that contains the right one, a refused TLS peer, a closed port.
            auto wrong = claude_config(server);
            wrong.http.api_key = secret + "-revoked";
            evidence.attach(wrong);
            CHECK(generate(wrong, storage, evidence).error->code_value() == errc::auth);
            auto untrusted = claude_config(server);
            untrusted.http.ca_file.clear();
            evidence.attach(untrusted);
            CHECK(generate(untrusted, storage, evidence).error->code_value() == errc::tls);
            auto closed = claude_config(server);
            closed.http.base_url = "https://127.0.0.1:1";
            evidence.attach(closed);
            const auto refused = generate(closed, storage, evidence);
            CHECK((refused.error || refused.test->error == errc::network));
            runs += 3;
            // A successful run, for completeness.
            auto good = claude_config(server);
            evidence.attach(good);
            CHECK(generate(good, storage, evidence, 2).test->status == Status::completed);
            ++runs;
            evidence.add_storage(storage);
        }
        evidence.add_files(dir.path());
        CHECK(failed_runs >= 10);
        evidence.check_clean();
        reliability::report("security.key_leak: runs=" + std::to_string(runs) +
                            " fault_kinds=" + std::to_string(std::size(fault_kinds)) +
                            " failed_runs=" + std::to_string(failed_runs) +
                            " texts_checked=" + std::to_string(evidence.pieces()));
    }

#ifdef MCQGEN_CLI_PATH
    TEST_CASE("the CLI prints no API key on stdout or stderr whether the run works or fails") {
        test_support::TempDir dir;
        fake_claude::Server server(server_options());
        struct Case {
            const char* name;
            std::string faults;
            std::vector<std::string> env;
            int exit_code;
        };
        const std::vector<std::string> base = {"ANTHROPIC_API_KEY=" + secret,
                                               "ANTHROPIC_BASE_URL=" + server.base_url(),
                                               "MCQGEN_MAX_RETRIES=1", "MCQGEN_TIMEOUT_MS=400"};
        auto with = [&](std::vector<std::string> extra) {
            auto env = base;
            env.insert(env.end(), extra.begin(), extra.end());
            return env;
        };
        const std::string ca = "MCQGEN_CA_FILE=" + server.ca_file().string();
        const std::vector<Case> cases = {
            {"completed", "", with({ca}), 0},
            {"server errors", "529*", with({ca}), 1},
            {"malformed bodies", "malformed*", with({ca}), 1},
            {"resets", "reset_mid*", with({ca}), 1},
            {"untrusted certificate", "", with({}), 1},
            {"wrong key",
             "",
             {"ANTHROPIC_API_KEY=" + secret + "-revoked", "ANTHROPIC_BASE_URL=" + server.base_url(),
              ca},
             1},
            {"insecure URL",
             "",
             {"ANTHROPIC_API_KEY=" + secret, "ANTHROPIC_BASE_URL=http://127.0.0.1:1"},
             1},
        };
        for (const auto& c : cases) {
            INFO("case: ", c.name);
            server.set_faults(c.faults);
            for (bool json : {true, false}) {
                std::vector<std::string> argv = {MCQGEN_CLI_PATH,
                                                 "generate",
                                                 test_support::sample_path().string(),
                                                 "-n",
                                                 "2",
                                                 "--db",
                                                 (dir / "cli.db").string()};
                if (json) argv.push_back("--json");
                reliability::Child cli(argv, c.env, true);
                const std::string output = cli.drain();
                const int status = cli.wait();
                CAPTURE(output);
                REQUIRE(WIFEXITED(status));
                CHECK(WEXITSTATUS(status) == c.exit_code);
                CHECK(output.find(secret) == std::string::npos);
                CHECK(output.find("SECRET-c0ffee") == std::string::npos);
            }
        }
        for (const char* command : {"list", "show"}) {
            std::vector<std::string> argv = {MCQGEN_CLI_PATH, command};
            if (std::string(command) == "show") argv.push_back("no-such-test");
            argv.insert(argv.end(), {"--db", (dir / "cli.db").string(), "--json"});
            reliability::Child cli(argv, base, true);
            const std::string output = cli.drain();
            cli.wait();
            CHECK(output.find(secret) == std::string::npos);
        }
        CHECK(test_support::read_file(dir / "cli.db").find(secret) == std::string::npos);
    }
#endif

    TEST_CASE("an untrusted expired or misnamed certificate is refused before the key is sent") {
        struct Case {
            const char* name;
            bool expired;
            std::string cert_host;
            bool trust_ca;
        };
        const Case cases[] = {{"untrusted CA", false, "127.0.0.1", false},
                              {"expired", true, "127.0.0.1", true},
                              {"another host name", false, "api.example.com", true}};
        fake_claude::Server other(server_options()); // a CA the client trusts, for no good reason
        for (const auto& c : cases) {
            INFO("case: ", c.name);
            auto options = server_options();
            options.expired_cert = c.expired;
            options.cert_host = c.cert_host;
            fake_claude::Server server(options);
            for (bool via_env : {false, true}) {
                CAPTURE(via_env);
                test_support::TempDir dir;
                SqliteStorage storage(dir / "t.db");
                Config config;
                if (via_env) {
                    // The environment has no way to turn verification off.
                    ScopedEnv key("ANTHROPIC_API_KEY", secret.c_str());
                    ScopedEnv url("ANTHROPIC_BASE_URL", server.base_url().c_str());
                    const auto ca = (c.trust_ca ? server.ca_file() : other.ca_file()).string();
                    ScopedEnv ca_file("MCQGEN_CA_FILE", ca.c_str());
                    ScopedEnv verify("MCQGEN_VERIFY_TLS", "0");
                    ScopedEnv insecure("MCQGEN_ALLOW_INSECURE_HTTP", "1");
                    config = Config::from_env();
                } else {
                    config = claude_config(server);
                    if (!c.trust_ca) config.http.ca_file = other.ca_file().string();
                }
                Evidence evidence;
                const auto outcome = generate(config, storage, evidence, 3);
                REQUIRE(outcome.error);
                CHECK(outcome.error->code_value() == errc::tls);
                const auto tests = storage.tests();
                REQUIRE(tests.size() == 1);
                CHECK(tests[0].status == Status::failed);
                CHECK(tests[0].error == errc::tls);
                CHECK(storage.questions(tests[0].id).empty());
                // Resume meets the same refusal.
                try {
                    Generator(config).resume(tests[0].id, storage);
                    FAIL("resume did not refuse the peer");
                } catch (const Error& e) {
                    CHECK(e.code_value() == errc::tls);
                }
                evidence.check_clean();
            }
            // No handshake completed, so no request (and no key) ever reached the server.
            CHECK(server.stats().requests == 0);
        }
    }

    TEST_CASE("an http:// base URL is refused with invalid_argument unless insecure HTTP is "
              "allowed") {
        ScopedEnv key("ANTHROPIC_API_KEY", secret.c_str());
        ScopedEnv offline("MCQGEN_OFFLINE", nullptr);
        const auto refused = [](const char* url, const char* allow) {
            ScopedEnv base("ANTHROPIC_BASE_URL", url);
            ScopedEnv insecure("MCQGEN_ALLOW_INSECURE_HTTP", allow);
            try {
                Config::from_env();
                return false;
            } catch (const Error& e) {
                CHECK(e.code_value() == errc::invalid_argument);
                CHECK(e.message().find("base_url") != std::string::npos);
                CHECK(std::string(e.what()).find(secret) == std::string::npos);
                return true;
            }
        };
        CHECK(refused("http://127.0.0.1:1", nullptr));
        CHECK(refused("http://127.0.0.1:1", "0"));
        CHECK(refused("http://127.0.0.1:1", "false"));
        CHECK(refused("http://127.0.0.1:1", "no"));
        CHECK(refused("ftp://127.0.0.1:1", "1"));
        CHECK(refused("127.0.0.1:1", "1"));
        CHECK_FALSE(refused("https://127.0.0.1:1", nullptr));
        CHECK_FALSE(refused("http://127.0.0.1:1", "1"));

        // Set on Config directly, the same rule holds when the Generator is made.
        Config direct;
        direct.http.api_key = secret;
        direct.http.base_url = "http://127.0.0.1:1";
        try {
            Generator{direct};
            FAIL("an http:// base URL was accepted");
        } catch (const Error& e) {
            CHECK(e.code_value() == errc::invalid_argument);
        }

        // Allowed, it is really used: the run reaches the (closed) port and fails on the network,
        // having stored a failed test and nothing else.
        direct.http.allow_insecure_http = true;
        direct.http.max_retries = 0;
        MemoryStorage storage;
        const auto test = Generator(direct).generate(test_support::sample_document(), 1, storage);
        CHECK(test.status == Status::failed);
        CHECK(test.error == errc::network);
        CHECK(storage.questions(test.id).empty());
    }

    TEST_CASE("a malformed https base URL is refused before anything is stored") {
        const char* urls[] = {"https://",
                              "https://:443",
                              "https://127.0.0.1:0",
                              "https://127.0.0.1:99999",
                              "https://user:pw@127.0.0.1",
                              "https://127.0.0.1 /x",
                              "https://[::1"};
        for (const char* url : urls) {
            INFO("url: ", url);
            Config config;
            config.http.api_key = secret;
            config.http.base_url = url;
            MemoryStorage storage;
            try {
                Generator(config).generate(test_support::sample_document(), 1, storage);
                FAIL("accepted");
            } catch (const Error& e) {
                CHECK(e.code_value() == errc::invalid_argument);
                CHECK(std::string(e.what()).find(secret) == std::string::npos);
                CHECK(std::string(e.what()).find("pw") == std::string::npos);
            }
            CHECK(storage.tests().empty());
        }
    }
}
