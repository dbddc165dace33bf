"""Generating offline through the Python package: sources, progress, storage, resume and
cancellation."""

from __future__ import annotations

import _thread
import dataclasses
import os
import sqlite3
import threading
import time
import unittest
from pathlib import Path

import mcqgen
from support import SAMPLE, SHORT, TempDirTest, offline


class GenerateTest(TempDirTest):
    def test_generates_a_complete_test_with_its_questions(self):
        with offline() as gen:
            test = gen.generate(SAMPLE, 5)
        self.assertIsInstance(test, mcqgen.Test)
        self.assertEqual(test.status, mcqgen.Status.COMPLETED)
        self.assertEqual(test.status, "completed")
        self.assertEqual((test.questions_generated, test.target_questions), (5, 5))
        self.assertEqual(test.message, "5 of 5 questions created")
        self.assertIsNone(test.error)
        self.assertEqual(test.provider, "offline")
        self.assertEqual(test.seed, 42)
        self.assertEqual(len(test.id), 36)
        self.assertEqual([q.position for q in test.questions], [0, 1, 2, 3, 4])
        document = SAMPLE.read_text(encoding="utf-8")
        for q in test.questions:
            self.assertIsInstance(q, mcqgen.Question)
            self.assertEqual(len(set(q.options)), 4)
            self.assertIn(q.answer_index, range(4))
            self.assertEqual(q.answer, q.options[q.answer_index])
            self.assertEqual(q.answer_letter, "ABCD"[q.answer_index])
            self.assertTrue(q.explanation)
            self.assertIn(q.source_quote.split()[0], document)
        test.raise_for_status()  # nothing to raise

    def test_progress_events_arrive_in_order_on_the_calling_thread(self):
        events: list[mcqgen.Progress] = []
        threads = set()

        def on_progress(p: mcqgen.Progress) -> None:
            events.append(p)
            threads.add(threading.get_ident())

        with offline() as gen:
            test = gen.generate(SAMPLE, 6, on_progress=on_progress)
        self.assertEqual(threads, {threading.get_ident()})
        questions = [e for e in events if e.question is not None]
        self.assertEqual([e.message for e in questions],
                         [f"{k} of 6 questions created" for k in range(1, 7)])
        self.assertEqual([e.created for e in questions], list(range(1, 7)))
        # Events come as questions are accepted, which need not be in position order.
        by_position = sorted(questions, key=lambda e: e.question.position)
        self.assertEqual([e.question.stem for e in by_position], [q.stem for q in test.questions])
        self.assertEqual(events[0].created, 0)
        self.assertEqual(events[0].status, mcqgen.Status.GENERATING)
        self.assertEqual(events[-1].status, mcqgen.Status.COMPLETED)
        self.assertAlmostEqual(events[-1].fraction, 1.0)
        self.assertTrue(all(e.test_id == test.id for e in events))

    def test_a_document_is_text_as_str_or_bytes_and_a_file_as_a_path(self):
        text = SAMPLE.read_text(encoding="utf-8")
        with_bom = self.dir / "bom.txt"
        with_bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

        class OwnPath:  # any os.PathLike, not only pathlib
            def __fspath__(self) -> str:
                return str(SAMPLE)

        self.assertIsInstance(OwnPath(), os.PathLike)
        with offline(seed=7) as gen:
            from_path = gen.generate(SAMPLE, 3)
            others = [gen.generate(document, 3) for document in (
                OwnPath(), text, text.encode("utf-8"), bytearray(text.encode("utf-8")),
                memoryview(text.encode("utf-8")), with_bom)]
        stems = [q.stem for q in from_path.questions]
        for other in others:
            self.assertEqual([q.stem for q in other.questions], stems)
        # A str is always the text itself, even when it names a file: no guessing.
        with offline() as gen, mcqgen.SqliteStorage(self.dir / "t.db") as store:
            as_text = gen.generate(str(SAMPLE), 1, storage=store)
        self.assertEqual(as_text.status, mcqgen.Status.FAILED)
        with sqlite3.connect(self.dir / "t.db") as conn:
            (stored,) = conn.execute("SELECT text FROM documents WHERE test_id = ?",
                                     (as_text.id,)).fetchone()
        self.assertEqual(stored, str(SAMPLE))

    def test_a_short_document_ends_partial_with_a_reason(self):
        with offline() as gen:
            test = gen.generate(SHORT, 10)
        self.assertEqual(test.status, mcqgen.Status.PARTIAL)
        self.assertLess(test.questions_generated, 10)
        self.assertEqual(len(test.questions), test.questions_generated)
        self.assertIn("of 10 questions created", test.message)
        test.raise_for_status()  # short, not failed: nothing to raise

    def test_sqlite_storage_reads_back_after_reopening(self):
        db = self.dir / "tests.db"
        with offline() as gen, mcqgen.SqliteStorage(db) as store:
            test = gen.generate(SAMPLE, 4, storage=store)
            other = gen.generate(SHORT, 2, storage=store)
        with mcqgen.SqliteStorage(str(db)) as store:
            record = store.test(test.id)
            self.assertEqual(record.questions, [])  # as in C++: a Test has no questions
            self.assertEqual(record, dataclasses.replace(test, questions=[]))
            self.assertEqual(record.questions_generated, 4)
            self.assertEqual(store.find_test(test.id), record)
            self.assertEqual(store.questions(test.id), test.questions)
            self.assertEqual([t.id for t in store.tests()], [other.id, test.id])
            self.assertEqual(store.path, str(db))

    def test_generators_and_storages_are_configurable(self):
        with offline(candidates=2, max_questions=40, max_concurrency=3, max_retries=0,
                     judge_threshold=0.5, request_timeout=30) as gen:
            test = gen.generate(SAMPLE, 25)
        self.assertEqual(test.questions_generated, 25)
        self.assertEqual(len({q.stem for q in test.questions}), 25)

    def test_the_same_seed_gives_the_same_test(self):
        with offline(seed=11) as a, offline(seed=11) as b:
            first, second = a.generate(SAMPLE, 4), b.generate(SAMPLE, 4)
        self.assertEqual([q.stem for q in first.questions], [q.stem for q in second.questions])
        self.assertNotEqual(first.id, second.id)


class CancelAndResumeTest(TempDirTest):
    def test_an_exception_in_on_progress_cancels_and_is_reraised(self):
        class Stop(Exception):
            pass

        seen = []

        def on_progress(p: mcqgen.Progress) -> None:
            seen.append(p.created)
            if p.created == 2:
                raise Stop("enough")

        store = mcqgen.MemoryStorage()
        with offline() as gen:
            with self.assertRaises(Stop):
                gen.generate(SAMPLE, 10, storage=store, on_progress=on_progress)
            (test,) = store.tests()
            self.assertEqual(test.questions_generated, 2)  # stopped before a third was stored
            self.assertEqual(seen[-1], 2)                   # no event after the exception
            self.assertEqual(test.status, mcqgen.Status.PARTIAL)
            self.assertIs(test.error, mcqgen.ErrorCode.CANCELLED)
            with self.assertRaises(mcqgen.CancelledError):
                test.raise_for_status()

            resumed = gen.resume(test.id, storage=store)
        self.assertEqual(resumed.status, mcqgen.Status.COMPLETED)
        self.assertEqual(resumed.id, test.id)
        self.assertEqual(len(resumed.questions), 10)
        self.assertEqual(len({q.stem for q in resumed.questions}), 10)

    def test_cancel_from_another_thread(self):
        gen = offline()

        def on_progress(p: mcqgen.Progress) -> None:
            if p.created == 1 and p.question:
                canceller = threading.Thread(target=gen.cancel)
                canceller.start()
                canceller.join()

        test = gen.generate(SAMPLE, 15, on_progress=on_progress)
        self.assertEqual(test.status, mcqgen.Status.PARTIAL)
        self.assertIs(test.error, mcqgen.ErrorCode.CANCELLED)
        self.assertGreaterEqual(test.questions_generated, 1)
        self.assertLess(test.questions_generated, 15)
        self.assertEqual(len(test.questions), test.questions_generated)
        gen.cancel()  # nothing runs: a no-op
        self.assertEqual(gen.generate(SAMPLE, 2).status, mcqgen.Status.COMPLETED)
        gen.close()

    def test_resume_continues_a_test_in_a_reopened_database(self):
        db = self.dir / "resume.db"
        with offline(seed=3) as gen, mcqgen.SqliteStorage(db) as store:
            def stop_at_three(p: mcqgen.Progress) -> None:
                if p.created == 3:
                    gen.cancel()

            first = gen.generate(SAMPLE, 8, storage=store, on_progress=stop_at_three)
        self.assertEqual(first.questions_generated, 3)
        events = []
        with offline() as gen, mcqgen.SqliteStorage(db) as store:
            resumed = gen.resume(first.id, storage=store, on_progress=events.append)
            self.assertEqual(resumed.status, mcqgen.Status.COMPLETED)
            self.assertEqual(resumed.seed, 3)  # the test's own seed, not this generator's
            self.assertEqual(resumed.questions[:3], first.questions)
            self.assertEqual(len([e for e in events if e.question]), 5)
            again = gen.resume(first.id, storage=store)  # complete: returned as is
            self.assertEqual(again.updated_at, resumed.updated_at)

    def test_ctrl_c_inside_on_progress_cancels_keeps_and_raises(self):
        store = mcqgen.MemoryStorage()

        def on_progress(p: mcqgen.Progress) -> None:
            if p.created == 1 and p.question:
                _thread.interrupt_main()  # as Ctrl-C: KeyboardInterrupt on the main thread
                time.sleep(5)             # interrupted at once

        gen = offline()
        started = time.monotonic()
        with self.assertRaises(KeyboardInterrupt):
            gen.generate(SAMPLE, 15, storage=store, on_progress=on_progress)
        self.assertLess(time.monotonic() - started, 4)
        (test,) = store.tests()
        self.assertEqual(test.status, mcqgen.Status.PARTIAL)
        self.assertEqual(test.questions_generated, 1)
        self.assertEqual(len(store.questions(test.id)), 1)
        self.assertEqual(gen.resume(test.id, storage=store).status, mcqgen.Status.COMPLETED)
        gen.close()

    def test_one_generation_at_a_time_per_generator(self):
        gen = offline()
        outcomes = []

        def nested(p: mcqgen.Progress) -> None:
            if p.created == 1 and p.question:
                try:
                    gen.generate(SAMPLE, 1)
                except mcqgen.BusyError as exc:
                    outcomes.append(exc)

                def other_thread() -> None:
                    try:
                        gen.generate(SAMPLE, 1)
                    except mcqgen.BusyError as exc:
                        outcomes.append(exc)

                thread = threading.Thread(target=other_thread)
                thread.start()
                thread.join()

        self.assertEqual(gen.generate(SAMPLE, 3, on_progress=nested).status,
                         mcqgen.Status.COMPLETED)
        self.assertEqual(len(outcomes), 2)
        self.assertIsInstance(outcomes[0], RuntimeError)
        self.assertEqual(outcomes[0].code, mcqgen.ErrorCode.BUSY)
        # Different generators run side by side on different threads.
        results = []

        def generate_with_own_generator(seed: int) -> None:
            with offline(seed) as own:
                results.append(own.generate(SAMPLE, 3))

        threads = [threading.Thread(target=generate_with_own_generator, args=(seed,))
                   for seed in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([r.status for r in results], [mcqgen.Status.COMPLETED] * 4)
        gen.close()


if __name__ == "__main__":
    unittest.main()
