// The offline generator's parts: which sentences it asks about, the forms it writes, the
// distractors it draws and the judge's verdicts.

#include "core/random.hpp"
#include "offline/distractors.hpp"
#include "offline/forms.hpp"
#include "offline/offline_provider.hpp"
#include "offline/sentences.hpp"
#include "offline/terms.hpp"
#include "pipeline/passages.hpp"
#include "pipeline/validation.hpp"

#include <mcqgen/document.hpp>
#include <mcqgen/generator.hpp>
#include <mcqgen/storage.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

using namespace mcqgen::detail;
using namespace mcqgen::detail::offline;

namespace {

// Facts of several kinds, written for these tests: people, places, years, units, nouns.
const std::string history =
    "The Debian Project was founded by Ian Murdock in 1993 at Purdue University. "
    "Bruce Perens led the project after Ian Murdock and wrote the Debian Social Contract. "
    "Debian was announced in 1993 on a Usenet newsgroup. "
    "The first stable release was published in 1996 after three years of work. "
    "Martin Schulze maintained the archive from Berlin while Ian Jackson worked in Cambridge. "
    "Joey Hess wrote the installer in Boston and moved to Vienna in 2001. "
    "The archive held 2500 packages in 1998 and 8700 packages in 2002. "
    "About 40% of the developers lived in Germany in 1999, and 25% lived in France. "
    "A violin was played at the conference in Cambridge in 2004. "
    "The band there also had a cello and a viola. "
    "Klaus Knopper built a live system in Berlin in 2000. "
    "Stefano Zacchiroli served three terms as project leader from Paris.";

std::map<std::string, Term> terms_by_text(const Inventory& inventory, std::size_t sentence) {
    std::map<std::string, Term> out;
    for (auto& t : inventory.terms_of(sentence, true))
        out[t.text] = t;
    return out;
}

std::size_t sentence_with(const Inventory& inventory, const std::string& words) {
    for (std::size_t i = 0; i < inventory.sentence_count(); ++i)
        if (inventory.sentence_text(i).find(words) != std::string::npos) return i;
    FAIL("no sentence has " << words);
    return 0;
}

} // namespace

TEST_SUITE("offline generator") {
    TEST_CASE("whole sentences of prose pass the sentence gate") {
        for (std::string s : {
                 "The Debian Project was founded by Ian Murdock in 1993 at Purdue University.",
                 "Bruce Perens wrote the Debian Social Contract after he took over the project.",
             }) {
            INFO(s);
            CHECK(check_sentence(s).usable);
        }
    }

    TEST_CASE("fragments code prompts and bullets fail the sentence gate") {
        for (std::string s : {
                 "from over 59000 source packages) maintained by more than a thousand people.",
                 "i386 and Motorola 68000 series architectures were the first ports of all.",
                 "$ sudo apt-get install build-essential devscripts lintian quilt now.",
                 "# dpkg --configure -a && apt-get update to repair the package system.",
                 "Set CFLAGS = -O2 -g in debian/rules to build with optimisation on.",
                 "Installing the packages from the local mirror of the main archive",
                 "It was released three years later after a long freeze of the archive.",
                 "The following packages are required for building the documentation:",
                 "The config_file option names the file that the daemon reads at start.",
                 "A list of the mirrors of the archive and of the security updates.",
             }) {
            INFO(s);
            CHECK_FALSE(check_sentence(s).usable);
        }
    }

    TEST_CASE("names are classed by the whole document") {
        const Inventory inventory(history);
        const auto terms = terms_by_text(inventory, sentence_with(inventory, "Joey Hess"));
        REQUIRE(terms.count("Joey Hess"));
        CHECK(terms.at("Joey Hess").group == "person");
        REQUIRE(terms.count("Purdue University") == 0); // not in this sentence
        const auto founded = terms_by_text(inventory, 0);
        REQUIRE(founded.count("Purdue University"));
        CHECK(founded.at("Purdue University").group == "organization");
        REQUIRE(founded.count("Debian Project"));
        CHECK(founded.at("Debian Project").group == "organization");
    }

    TEST_CASE("a person is replaced by people and a city by cities") {
        const Inventory inventory(history);
        SeededRandom random(3);
        const auto si = sentence_with(inventory, "Joey Hess");
        const auto terms = inventory.terms_of(si, true);
        const auto person = terms_by_text(inventory, si).at("Joey Hess");
        const auto people = pick_distractors(inventory, person, terms, random);
        REQUIRE(people.size() == 3);
        for (const auto& d : people) {
            INFO(d);
            CHECK(inventory.group_of(lower(d)) == "person");
        }
        const auto city = terms_by_text(inventory, si).at("Boston");
        for (const auto& d : pick_distractors(inventory, city, terms, random)) {
            INFO(d);
            CHECK(inventory.group_of(lower(d)) != "person");
            CHECK(d != "Vienna"); // in the same sentence
        }
    }

    TEST_CASE("a number keeps its unit and a year stays a year") {
        const Inventory inventory(history);
        SeededRandom random(5);
        const auto si = sentence_with(inventory, "40%");
        const auto terms = inventory.terms_of(si, true);
        const auto percent = terms_by_text(inventory, si).at("40%");
        for (const auto& d : pick_distractors(inventory, percent, terms, random)) {
            INFO(d);
            CHECK(d.back() == '%');
        }
        // A number written with a leading zero is a code: nothing of its kind to vary.
        const auto code = extract_terms("The tab is the character 0001001 in that table.");
        REQUIRE(code.size() == 1);
        CHECK(code.front().group == "identifier");
        const auto year = terms_by_text(inventory, si).at("1999");
        const auto years = pick_distractors(inventory, year, terms, random);
        REQUIRE(years.size() == 3);
        for (const auto& d : years) {
            INFO(d);
            CHECK(d.size() == 4);
            CHECK(std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(c); }));
        }
    }

    TEST_CASE("a common noun's distractors are its WordNet sisters not words with its suffix") {
        const Inventory inventory(history);
        SeededRandom random(7);
        const auto si = sentence_with(inventory, "violin");
        const auto terms = inventory.terms_of(si, true);
        const auto found = terms_by_text(inventory, si);
        REQUIRE(found.count("violin"));
        const auto& violin = found.at("violin");
        CHECK(violin.cue == "violin");
        const auto sisters = pick_distractors(inventory, violin, terms, random);
        REQUIRE(sisters.size() == 3);
        for (const auto& d : sisters) {
            INFO(d);
            CHECK(d.find_first_not_of("abcdefghijklmnopqrstuvwxyz- ") == std::string::npos);
            CHECK(d.substr(d.size() >= 3 ? d.size() - 3 : 0) != "lin");
        }
    }

    TEST_CASE("a common noun's distractors are neither near-synonyms nor uncountable plurals") {
        // Written for this test: "opinions" has the near-synonym "convictions" (both beliefs
        // held without proof) and "letters" the sister "lowercase", which has no plural.
        const Inventory inventory(
            "The committee weighed the opinions of the members before the vote. "
            "The painter drew the letters of the sign in gold paint.");
        for (const std::string key : {"opinions", "letters"}) {
            const auto si = sentence_with(inventory, key);
            const auto terms = inventory.terms_of(si, true);
            const auto found = terms_by_text(inventory, si);
            REQUIRE(found.count(key));
            for (std::uint64_t seed = 1; seed <= 8; ++seed) {
                SeededRandom random(seed);
                const auto distractors = pick_distractors(inventory, found.at(key), terms, random);
                REQUIRE(distractors.size() == 3);
                for (const auto& d : distractors) {
                    INFO(key << ": " << d);
                    CHECK(d != "convictions");
                    CHECK(d != "lowercases");
                    CHECK(d != "uppercases");
                    CHECK(d.back() == 's');
                }
            }
        }
    }

    TEST_CASE("wh-questions follow the sentence's shape") {
        const Inventory inventory(history);
        const auto question = [&](const std::string& words, const std::string& key) {
            const auto si = sentence_with(inventory, words);
            const auto terms = terms_by_text(inventory, si);
            REQUIRE(terms.count(key));
            const auto fact =
                fact_of(inventory.sentence_text(si), terms.at(key), inventory.terms_of(si, true));
            const auto c = make_question(fact, {"a", "b", "c"});
            return c ? c->stem : std::string("(none)");
        };
        CHECK(question("Debian was announced", "1993") ==
              "In which year was Debian announced on a Usenet newsgroup?");
        CHECK(question("Klaus Knopper", "2000") ==
              "In which year did Klaus Knopper build a live system in Berlin?");
        CHECK(question("Bruce Perens led", "Bruce Perens") ==
              "Who led the project after Ian Murdock and wrote the Debian Social Contract?");
    }

    TEST_CASE("a definition sentence becomes a which-of-the-following question") {
        const Inventory inventory("Debian is a free operating system made by volunteers. "
                                  "Ubuntu is a distribution derived from Debian.");
        const auto terms = terms_by_text(inventory, 0);
        REQUIRE(terms.count("Debian"));
        CHECK(terms.at("Debian").kind == Kind::defined);
        const auto c = make_question({inventory.sentence_text(0), terms.at("Debian"), true},
                                     {"Ubuntu", "Fedora", "Arch"});
        REQUIRE(c);
        CHECK(c->stem == "Which of the following is a free operating system made by volunteers?");
        CHECK(c->style == "question");
    }

    TEST_CASE("a statement item's key is computed from which statements are true") {
        for (int key = 0; key < 4; ++key) {
            for (std::size_t count : {2u, 3u}) {
                const auto truth = statement_truth(count, key);
                CHECK(statement_key(truth) == key);
                std::vector<Statement> statements;
                for (std::size_t i = 0; i < count; ++i)
                    statements.push_back({"Statement " + std::to_string(i) + ".", truth[i],
                                          truth[i] ? "" : "Paris", truth[i] ? "" : "Rome"});
                const auto c = make_statements(statements, "quote");
                CHECK(c.answer_index == key);
                CHECK(c.options == statement_options(count));
                CHECK(c.style == "statements");
                if (std::find(truth.begin(), truth.end(), false) != truth.end())
                    CHECK(c.explanation.find("has \"Paris\" where it says \"Rome\"") !=
                          std::string::npos);
            }
        }
        CHECK(statement_options(3) ==
              std::vector<std::string>{"Only one", "Only two", "All three", "None"});
        CHECK(statement_options(2) ==
              std::vector<std::string>{"1 only", "2 only", "Both 1 and 2", "Neither 1 nor 2"});
    }

    TEST_CASE("the judge answers blind and its scores spread") {
        const auto document = std::make_shared<const std::string>(history);
        const auto passages = make_passages(mcqgen::Document::from_text(history));
        REQUIRE_FALSE(passages.empty());
        OfflineProvider provider;
        std::set<double> scores;
        int answered = 0, asked = 0;
        for (const auto& passage : passages) {
            for (int slot = 0; slot < 6; ++slot) {
                AuthorRequest request;
                request.slot = slot;
                request.document = document;
                request.passage = &passage;
                request.count = 4;
                request.seed = 11 + static_cast<unsigned>(slot);
                const auto authored = provider.author(request);
                JudgeRequest judge;
                judge.document = document;
                judge.passage = &passage;
                for (std::size_t i = 0; i < authored.candidates.size(); ++i) {
                    const auto& c = authored.candidates[i];
                    JudgeItem item;
                    item.id = static_cast<int>(i);
                    item.stem = c.stem;
                    // The judge sees the key last: it must find it, not assume it is first.
                    for (std::size_t k = 0; k < 4; ++k)
                        item.options[k] = c.options[(k + 1) % 4];
                    judge.items.push_back(item);
                }
                for (const auto& v : provider.verdicts(judge).verdicts) {
                    const auto& c = authored.candidates[static_cast<std::size_t>(v.id)];
                    ++asked;
                    if (v.chosen < 0) continue;
                    const auto& chosen = judge.items[static_cast<std::size_t>(v.id)]
                                             .options[static_cast<std::size_t>(v.chosen)];
                    answered += chosen == c.options[static_cast<std::size_t>(c.answer_index)];
                    scores.insert(v.score);
                }
            }
        }
        REQUIRE(asked > 10);
        CHECK(answered * 10 >= asked * 8);
        REQUIRE(scores.size() >= 3);
        CHECK(*scores.rbegin() - *scores.begin() >= 0.1);
    }
}
