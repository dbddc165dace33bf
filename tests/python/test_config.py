"""Configuration: every Generator keyword reaches the C config and comes back through
mcqgen_generator_config; the keywords, mcqgen.Config and the C struct mirror list the same
fields; None means the environment, then the library default."""

from __future__ import annotations

import ctypes
import dataclasses
import inspect
import os
import unittest
from unittest import mock

import mcqgen
from mcqgen import _capi

# A value other than the default for every keyword (offline, so nothing is sent anywhere).
NON_DEFAULT = dict(
    api_key="test-key-python-roundtrip",
    base_url="https://claude.example.test:8443",
    api_version="2025-01-01",
    max_concurrency=3,
    max_retries=5,
    connect_timeout=1.5,
    handshake_timeout=2.25,
    request_timeout=30.0,
    max_retry_after=7.5,
    ca_file="/etc/ssl/certs/ca-certificates.crt",
    verify_tls=False,
    allow_insecure_http=True,
    model="claude-haiku-4-5",
    max_tokens=1024,
    document_tokens=20000,
    section_tokens=5000,
    structured_output=mcqgen.StructuredOutput.TOOL,
    candidates=2,
    max_questions=50,
    judge_threshold=0.75,
    style=mcqgen.QuestionStyle.STATEMENTS,
    seed=2**63 + 5,
    offline=True,
    batch=True,
    batch_poll_interval=2.5,
    batch_max_poll_interval=90.0,
    judge_model="claude-sonnet-4-5",
)

# Variables mcqgen_config_from_env reads (src/core/config.cpp): cleared, so the defaults are
# the library's.
ENVIRONMENT = ("ANTHROPIC_API_KEY", "CLAUDE_API_KEY", "ANTHROPIC_BASE_URL", "MCQ_CANDIDATE_COUNT",
               *(f"MCQGEN_{name}" for name in (
                   "API_KEY", "BASE_URL", "API_VERSION", "CONCURRENCY", "MAX_RETRIES",
                   "CONNECT_TIMEOUT_MS", "HANDSHAKE_TIMEOUT_MS", "TIMEOUT_MS",
                   "MAX_RETRY_AFTER_MS", "CA_FILE", "VERIFY_TLS", "ALLOW_INSECURE_HTTP", "MODEL",
                   "MAX_TOKENS", "STRUCTURED_OUTPUT", "CANDIDATES", "MAX_QUESTIONS",
                   "JUDGE_THRESHOLD", "STYLE", "SEED", "OFFLINE",
                   "DOCUMENT_TOKENS", "SECTION_TOKENS", "BATCH", "BATCH_POLL_MS",
                   "BATCH_MAX_POLL_MS", "JUDGE_MODEL")))


def keywords() -> list[str]:
    parameters = list(inspect.signature(mcqgen.Generator.__init__).parameters.values())[1:]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), parameters
    assert all(p.default is None for p in parameters), parameters
    return [p.name for p in parameters]


def library_defaults() -> mcqgen.Config:
    config = _capi.Config()
    assert _capi.mcqgen_config_init(ctypes.byref(config), _capi.CONFIG_VERSION) == _capi.OK
    return mcqgen.Config._from_c(config)


class ConfigTest(unittest.TestCase):
    def setUp(self) -> None:
        patcher = mock.patch.dict(os.environ)
        patcher.start()
        self.addCleanup(patcher.stop)
        for name in ENVIRONMENT:
            os.environ.pop(name, None)

    def test_the_keywords_cover_every_field_of_the_c_config(self):
        fields = dataclasses.fields(mcqgen.Config)
        self.assertEqual(keywords(), [f.name for f in fields])  # same names, same order
        c_fields = [name for name, _ in _capi.Config._fields_ if name != "version"]
        self.assertEqual([f.metadata["c_name"] for f in fields], c_fields)
        self.assertEqual(set(NON_DEFAULT), set(keywords()))

    def test_every_keyword_round_trips_through_the_library(self):
        defaults = library_defaults()
        for name, value in NON_DEFAULT.items():
            self.assertNotEqual(getattr(defaults, name), value, f"{name}: not a change")
        with mcqgen.Generator(**NON_DEFAULT) as gen:
            self.assertEqual(gen.config, mcqgen.Config(**NON_DEFAULT))
        self.assertEqual(gen.config, mcqgen.Config(**NON_DEFAULT))  # kept after close
        self.assertIsInstance(gen.config.structured_output, mcqgen.StructuredOutput)
        self.assertIsInstance(gen.config.style, mcqgen.QuestionStyle)

    def test_each_keyword_alone_changes_only_its_field(self):
        defaults = library_defaults()
        for name, value in NON_DEFAULT.items():
            with self.subTest(keyword=name):
                with mcqgen.Generator(**{name: value}) as gen:
                    self.assertEqual(gen.config, dataclasses.replace(defaults, **{name: value}))

    def test_none_means_the_environment_then_the_default(self):
        with mcqgen.Generator() as gen:
            self.assertEqual(gen.config, library_defaults())
            self.assertFalse(gen.config.online)
        os.environ.update(MCQGEN_MODEL="claude-from-environment", MCQGEN_CANDIDATES="3",
                          MCQGEN_TIMEOUT_MS="4500", MCQGEN_STRUCTURED_OUTPUT="tool",
                          MCQGEN_STYLE="cloze")
        with mcqgen.Generator() as gen:
            self.assertEqual(gen.config.model, "claude-from-environment")
            self.assertEqual(gen.config.candidates, 3)
            self.assertEqual(gen.config.request_timeout, 4.5)
            self.assertIs(gen.config.structured_output, mcqgen.StructuredOutput.TOOL)
            self.assertIs(gen.config.style, mcqgen.QuestionStyle.CLOZE)
        with mcqgen.Generator(model="claude-from-keyword", candidates=5) as gen:
            self.assertEqual((gen.config.model, gen.config.candidates),
                             ("claude-from-keyword", 5))

    def test_strings_and_enums_are_accepted_as_their_value(self):
        with mcqgen.Generator(structured_output="json_schema", ca_file=mcqgen.__file__) as gen:
            self.assertIs(gen.config.structured_output, mcqgen.StructuredOutput.JSON_SCHEMA)
            self.assertEqual(gen.config.ca_file, mcqgen.__file__)
        self.assertEqual(mcqgen.StructuredOutput.TOOL, "tool")

    def test_every_style_is_accepted_by_name_and_read_back(self):
        self.assertIs(library_defaults().style, mcqgen.QuestionStyle.MIXED)
        for name in ("mixed", "cloze", "question", "statements"):
            with self.subTest(style=name):
                with mcqgen.Generator(style=name) as gen:
                    self.assertIs(gen.config.style, mcqgen.QuestionStyle(name))
                    self.assertEqual(gen.config.style, name)

    def test_an_unknown_style_is_an_invalid_argument(self):
        for bad in ("quiz", "Cloze", ""):
            with self.subTest(style=bad):
                with self.assertRaises(mcqgen.InvalidArgumentError) as caught:
                    mcqgen.Generator(style=bad)
                self.assertIn("style", str(caught.exception))
                self.assertIn("statements", str(caught.exception))
        os.environ["MCQGEN_STYLE"] = "quiz"
        with self.assertRaises(mcqgen.InvalidArgumentError) as caught:
            mcqgen.Generator()
        self.assertIn("MCQGEN_STYLE", str(caught.exception))

    def test_timeouts_are_seconds(self):
        with mcqgen.Generator(connect_timeout=0.0004, request_timeout=2) as gen:
            self.assertEqual(gen.config.connect_timeout, 0.001)  # never rounded down to 0
            self.assertEqual(gen.config.request_timeout, 2.0)

    def test_the_key_is_not_in_the_repr(self):
        with mcqgen.Generator(api_key="test-key-python-SECRET-0123456789", offline=True) as gen:
            self.assertEqual(gen.config.api_key, "test-key-python-SECRET-0123456789")
            self.assertTrue(dataclasses.replace(gen.config, offline=False).online)
            self.assertNotIn("SECRET", repr(gen.config))
            self.assertNotIn("SECRET", repr(gen))

    def test_the_config_is_frozen(self):
        with mcqgen.Generator() as gen:
            with self.assertRaises(dataclasses.FrozenInstanceError):
                gen.config.model = "other"  # type: ignore[misc]


if __name__ == "__main__":
    unittest.main()
