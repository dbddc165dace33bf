// The WordNet module against the real database (Debian's wordnet-base): lemmas, counts, names,
// sister terms, relatedness, inflection, many threads at once, and no database at all.

#include "offline/wordnet.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace wn = mcqgen::detail::offline::wordnet;
using wn::Pos;

namespace {

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::vector<std::string> lemmas(const std::vector<wn::Sister>& sisters) {
    std::vector<std::string> out;
    for (const auto& s : sisters)
        out.push_back(s.lemma);
    return out;
}

/// Everything the module answers about a word, as one string: equal across threads.
std::string all_about(const std::string& word) {
    std::string out;
    for (const auto& b : wn::base_forms(word, Pos::noun))
        out += b + ",";
    out += std::to_string(wn::sense_count(word, Pos::noun)) + ";";
    out += std::to_string(wn::familiarity(word, Pos::noun)) + ";";
    out += wn::lexical_class(word, Pos::noun) + ";";
    out += std::to_string(static_cast<int>(wn::name_kind(word))) + ";";
    for (const auto& s : wn::sister_terms(word, Pos::noun))
        out += s.lemma + ",";
    out += wn::related(word, "entity", Pos::noun) ? "r;" : "-;";
    out += wn::inflect_like(word, "cities", Pos::noun) + ";";
    out += wn::inflect_like(word, "walked", Pos::verb);
    return out;
}

} // namespace

TEST_SUITE("wordnet") {

    TEST_CASE("the database is installed") {
        // The project's dependencies install wordnet-base; every other test here needs it.
        REQUIRE(wn::available());
    }

    TEST_CASE("base forms of regular and irregular nouns and verbs") {
        CHECK(wn::base_forms("cities", Pos::noun) == std::vector<std::string>{"city"});
        CHECK(wn::base_forms("Cities", Pos::noun) == std::vector<std::string>{"city"});
        CHECK(wn::base_forms("city", Pos::noun) == std::vector<std::string>{"city"});
        CHECK(wn::base_forms("mice", Pos::noun) == std::vector<std::string>{"mouse"});
        CHECK(wn::base_forms("began", Pos::verb) == std::vector<std::string>{"begin"});
        CHECK(wn::base_forms("stopped", Pos::verb) == std::vector<std::string>{"stop"});
        CHECK(wn::base_forms("carries", Pos::verb) == std::vector<std::string>{"carry"});
        // A lemma that is also an inflection: itself first.
        const auto data = wn::base_forms("data", Pos::noun);
        REQUIRE(data.size() == 2);
        CHECK(data[0] == "data");
        CHECK(data[1] == "datum");
        CHECK(wn::base_forms("axes", Pos::noun) == std::vector<std::string>{"ax", "axis"});
        // Multiword lemmas, with spaces.
        CHECK(wn::base_forms("united  nations", Pos::noun) ==
              std::vector<std::string>{"united nations"});
        CHECK(wn::base_forms("city", Pos::verb).empty());
        CHECK(wn::base_forms("flurbowicz", Pos::noun).empty());
        CHECK(wn::base_forms("", Pos::noun).empty());
        CHECK(wn::base_forms(std::string(300, 'a'), Pos::noun).empty());
    }

    TEST_CASE("senses familiarity and lexical classes") {
        CHECK(wn::sense_count("city", Pos::noun) == 3);
        CHECK(wn::sense_count("cities", Pos::noun) == 3); // taken as its lemma
        CHECK(wn::sense_count("flurbowicz", Pos::noun) == 0);
        CHECK(wn::sense_count("run", Pos::verb) > 20); // polysemous: a generic key

        CHECK(wn::familiarity("city", Pos::noun) > wn::familiarity("township", Pos::noun));
        CHECK(wn::familiarity("town", Pos::noun) > wn::familiarity("burg", Pos::noun));
        CHECK(wn::familiarity("flurbowicz", Pos::noun) == 0);

        CHECK(wn::lexical_class("city", Pos::noun) == "noun.location");
        CHECK(wn::lexical_class("teacher", Pos::noun) == "noun.person");
        CHECK(wn::lexical_class("hammer", Pos::noun) == "noun.artifact");
        CHECK(wn::lexical_class("walk", Pos::verb) == "verb.motion");
        CHECK(wn::lexical_class("Paris", Pos::noun) == "noun.location");
        CHECK(wn::lexical_class("EINSTEIN", Pos::noun) == "noun.person");
        CHECK(wn::lexical_class("flurbowicz", Pos::noun).empty());
    }

    TEST_CASE("name kinds of proper nouns") {
        CHECK(wn::name_kind("Einstein") == wn::NameKind::person);
        CHECK(wn::name_kind("Albert Einstein") == wn::NameKind::person);
        CHECK(wn::name_kind("Paris") == wn::NameKind::place);
        CHECK(wn::name_kind("france") == wn::NameKind::place);
        CHECK(wn::name_kind("United Nations") == wn::NameKind::organization);
        CHECK(wn::name_kind("NATO") == wn::NameKind::organization);
        CHECK(wn::name_kind("Linux") == wn::NameKind::other);
        CHECK(wn::name_kind("Zorblatt Quenfield") == wn::NameKind::unknown);
        CHECK(wn::name_kind("city") == wn::NameKind::unknown); // listed, but no proper noun
    }

    TEST_CASE("sister terms of city") {
        const auto sisters = wn::sister_terms("city", Pos::noun);
        const auto names = lemmas(sisters);
        REQUIRE(!sisters.empty());
        CHECK(sisters.size() <= 30);
        CHECK(has(names, "town"));
        // Not the key, its synonyms, its hypernyms, nor anything containing it.
        for (const char* excluded : {"city", "metropolis", "urban center", "municipality",
                                     "administrative district", "urban area"})
            CHECK_MESSAGE(!has(names, excluded), excluded);
        for (const auto& name : names)
            CHECK_MESSAGE(name.find("city") == std::string::npos, name);
        // Most familiar first, and distinct.
        for (std::size_t i = 1; i < sisters.size(); ++i)
            CHECK(sisters[i - 1].familiarity >= sisters[i].familiarity);
        auto sorted = names;
        std::sort(sorted.begin(), sorted.end());
        CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
        const auto town = std::find_if(sisters.begin(), sisters.end(),
                                       [](const wn::Sister& s) { return s.lemma == "town"; });
        REQUIRE(town != sisters.end());
        CHECK(town->hypernym == "municipality");
        CHECK(town->lexical_class == "noun.location");
        CHECK(town->sense == 1); // town's first meaning
        CHECK(town->familiarity > 0);
        CHECK(town->familiarity <= wn::familiarity("town", Pos::noun)); // one sense of its total
        CHECK(wn::gloss(Pos::noun, town->synset).find("urban area") != std::string::npos);
        CHECK(wn::gloss(Pos::noun, town->synset + 1).empty()); // not the start of a synset
        CHECK(wn::sister_terms("city", Pos::noun, 2, 3).size() == 3);
        CHECK(lemmas(wn::sister_terms("city", Pos::noun, 2, 3)) ==
              std::vector<std::string>(names.begin(), names.begin() + 3));
    }

    TEST_CASE("sister terms of other common nouns names and verbs") {
        const auto dog = lemmas(wn::sister_terms("dog", Pos::noun));
        CHECK(has(dog, "wolf"));
        CHECK(has(dog, "fox"));
        CHECK(!has(dog, "canine"));       // the hypernym
        CHECK(!has(dog, "domestic dog")); // a synonym
        CHECK(!has(dog, "puppy"));        // a hyponym
        const auto violin = lemmas(wn::sister_terms("violin", Pos::noun));
        CHECK(has(violin, "cello"));
        CHECK(!has(violin, "fiddle")); // a synonym
        // A proper noun's sisters are the other instances of its class: capitals for Paris.
        const auto paris = lemmas(wn::sister_terms("Paris", Pos::noun, 1));
        CHECK(has(paris, "London"));
        CHECK(has(paris, "Rome"));
        const auto walk = lemmas(wn::sister_terms("walk", Pos::verb, 1, 1000));
        CHECK(has(walk, "run"));
        CHECK(has(lemmas(wn::sister_terms("walk", Pos::verb, 1)), "crawl"));
        CHECK(!has(walk, "walk"));
        CHECK(wn::sister_terms("hot", Pos::adjective).empty()); // no hypernyms for adjectives
        CHECK(wn::sister_terms("flurbowicz", Pos::noun).empty());
    }

    TEST_CASE("related words") {
        CHECK(wn::related("dog", "animal", Pos::noun)); // a hypernym, several levels up
        CHECK(wn::related("animal", "dog", Pos::noun));
        CHECK(wn::related("city", "metropolis", Pos::noun)); // synonyms
        CHECK(wn::related("cities", "municipality", Pos::noun));
        CHECK(wn::related("Paris", "city", Pos::noun)); // an instance
        CHECK(!wn::related("city", "town", Pos::noun));
        CHECK(!wn::related("violin", "cello", Pos::noun));
        CHECK(wn::related("walk", "travel", Pos::verb));
        CHECK(!wn::related("walk", "swim", Pos::verb));
        CHECK(!wn::related("flurbowicz", "city", Pos::noun));
    }

    TEST_CASE("inflect like plural nouns") {
        CHECK(wn::inflect_like("town", "cities", Pos::noun) == "towns");
        CHECK(wn::inflect_like("city", "towns", Pos::noun) == "cities");
        CHECK(wn::inflect_like("box", "towns", Pos::noun) == "boxes");
        CHECK(wn::inflect_like("church", "towns", Pos::noun) == "churches");
        CHECK(wn::inflect_like("day", "towns", Pos::noun) == "days");
        CHECK(wn::inflect_like("mouse", "towns", Pos::noun) == "mice");
        CHECK(wn::inflect_like("child", "towns", Pos::noun) == "children");
        CHECK(wn::inflect_like("wolf", "towns", Pos::noun) == "wolves");
        CHECK(wn::inflect_like("woman", "towns", Pos::noun) == "women");
        CHECK(wn::inflect_like("policeman", "towns", Pos::noun) == "policemen");
        CHECK(wn::inflect_like("human", "towns", Pos::noun) == "humans");
        CHECK(wn::inflect_like("brother", "towns", Pos::noun) == "brothers");
        CHECK(wn::inflect_like("police officer", "towns", Pos::noun) == "police officers");
        CHECK(wn::inflect_like("Londoner", "towns", Pos::noun) == "Londoners");
        // A singular, or a word that only looks plural, leaves the lemma as it is.
        CHECK(wn::inflect_like("town", "city", Pos::noun) == "town");
        CHECK(wn::inflect_like("chemistry", "physics", Pos::noun) == "chemistry");
        CHECK(wn::inflect_like("town", "flurbowicz", Pos::noun) == "town");
    }

    TEST_CASE("inflect like verbs") {
        CHECK(wn::inflect_like("walk", "ran", Pos::verb) == "walked");
        CHECK(wn::inflect_like("run", "walked", Pos::verb) == "ran");
        CHECK(wn::inflect_like("go", "walked", Pos::verb) == "went");
        CHECK(wn::inflect_like("take", "begun", Pos::verb) == "taken");
        CHECK(wn::inflect_like("take", "began", Pos::verb) == "took");
        CHECK(wn::inflect_like("stop", "walked", Pos::verb) == "stopped");
        CHECK(wn::inflect_like("carry", "walked", Pos::verb) == "carried");
        CHECK(wn::inflect_like("create", "walked", Pos::verb) == "created");
        CHECK(wn::inflect_like("carry", "walks", Pos::verb) == "carries");
        CHECK(wn::inflect_like("go", "walks", Pos::verb) == "goes");
        CHECK(wn::inflect_like("have", "walks", Pos::verb) == "has");
        CHECK(wn::inflect_like("begin", "walking", Pos::verb) == "beginning");
        CHECK(wn::inflect_like("make", "walking", Pos::verb) == "making");
        CHECK(wn::inflect_like("die", "walking", Pos::verb) == "dying");
        CHECK(wn::inflect_like("look up", "walked", Pos::verb) == "looked up");
        CHECK(wn::inflect_like("build", "found", Pos::verb) == "built"); // "found" as find's past
        CHECK(wn::inflect_like("walk", "run", Pos::verb) == "walk");
        CHECK(wn::inflect_like("hot", "colder", Pos::adjective) == "hot");
    }

    TEST_CASE("many threads query at once") {
        // Words no other test asks about, so the threads meet cold caches and the C library.
        const std::vector<std::string> words = {"river",  "mountain", "teacher", "apple",
                                                "carbon", "guitar",   "doctor",  "ocean",
                                                "wheat",  "London",   "castle",  "engine"};
        constexpr int thread_count = 4;
        std::vector<std::vector<std::string>> answers(thread_count);
        std::vector<std::thread> threads;
        for (int t = 0; t < thread_count; ++t)
            threads.emplace_back([&, t] {
                // Each thread in its own order, so that different threads miss the caches together.
                std::vector<std::size_t> order(words.size());
                for (std::size_t i = 0; i < order.size(); ++i)
                    order[i] = i;
                std::rotate(order.begin(), order.begin() + 3 * t, order.end());
                if (t % 2 == 1) std::reverse(order.begin(), order.end());
                answers[t].resize(words.size());
                for (const std::size_t i : order)
                    answers[t][i] = all_about(words[i]);
            });
        for (auto& thread : threads)
            thread.join();
        for (int t = 1; t < thread_count; ++t)
            CHECK(answers[t] == answers[0]);
        // Not an empty agreement: the answers carry real content.
        CHECK(answers[0][0].find("stream") != std::string::npos); // a sister of river
    }

} // TEST_SUITE

// Run only by the ctest entry unit.wordnet_missing_database, with WNSEARCHDIR at an empty
// directory (tests/CMakeLists.txt): the database opens once per process.
TEST_SUITE("wordnet_missing") {

    TEST_CASE("without a database every query answers nothing" * doctest::skip()) {
        REQUIRE(std::getenv("WNSEARCHDIR") != nullptr);
        CHECK(!wn::available());
        CHECK(wn::base_forms("cities", Pos::noun).empty());
        CHECK(wn::sense_count("city", Pos::noun) == 0);
        CHECK(wn::familiarity("city", Pos::noun) == 0);
        CHECK(wn::lexical_class("city", Pos::noun).empty());
        CHECK(wn::name_kind("Einstein") == wn::NameKind::unknown);
        CHECK(wn::sister_terms("city", Pos::noun).empty());
        CHECK(!wn::related("dog", "animal", Pos::noun));
        CHECK(wn::inflect_like("town", "cities", Pos::noun) == "town");
    }

} // TEST_SUITE
