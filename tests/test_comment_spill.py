"""Comments kept on disk (innspill.comment_spill): the same sequence, the same analysis written,
and the spilled comments really gone from memory (issue 19: the Dask client at scale)."""

import copy
import gc
import io
import pickle

import pytest

from innspill.comment_spill import SpilledComments
from innspill.contract import Analysis, Comment, Repair
from innspill.dedupe import link_duplicates
from innspill.ingest import read_input
from innspill.repair import repair_comments
from scriptload import load_script


def _thread(tmp_path, n: int = 300):
    """A generated thread with copies, repairs and comments not kept, read and deduplicated."""
    path = tmp_path / "thread.txt"
    load_script("benchmarks/bench.py").generate(n, path, seed=5, form_letters=True)
    thread = read_input(str(path))
    repair_comments(thread.comments, [thread.post])
    link_duplicates(thread.comments)
    thread.comments[3].status, thread.comments[3].reason = "spam", "test"
    thread.comments[4].repairs.append(Repair("test", 0, "a", "b"))
    thread.comments[4].status = "held"
    return thread


def _live_comments() -> int:
    gc.collect()
    return sum(isinstance(o, Comment) for o in gc.get_objects())


def test_the_spilled_sequence_is_the_list(tmp_path):
    comments = _thread(tmp_path).comments
    spilled = SpilledComments(comments, part=7)
    analysed = [c for c in comments if c.status == "kept" and c.duplicate_of is None]
    assert 0 < spilled.spilled == len(comments) - len(analysed) and spilled.spilled > 3 * 7
    assert len(spilled) == len(comments)
    assert all(a is b for a, b in zip(spilled.analysed, analysed, strict=True))  # the same objects, in memory
    assert [c.to_dict() for c in spilled] == [c.to_dict() for c in comments]
    assert spilled == comments and list(spilled) == comments
    for i in [*range(len(comments)), -1, -len(comments)]:  # by index, in and across partitions
        assert spilled[i] == comments[i]
    for i in reversed(range(0, len(comments), 5)):
        assert spilled[i] == comments[i]
    assert spilled[10:40:3] == comments[10:40:3]
    with pytest.raises(IndexError):
        spilled[len(comments)]
    copied = pickle.loads(pickle.dumps(spilled))
    assert type(copied) is list and copied == comments
    assert type(copy.deepcopy(spilled)) is list


def test_an_analysis_with_spilled_comments_is_written_the_same(tmp_path):
    thread = _thread(tmp_path)
    whole = Analysis(source=thread.source, questions=thread.questions, comments=thread.comments, post=thread.post)
    part = Analysis(source=thread.source, questions=thread.questions,
                    comments=SpilledComments(thread.comments, part=11), post=thread.post)
    assert part.distinct() == whole.distinct() and part.stats() == whole.stats()
    a, b = io.StringIO(), io.StringIO()
    whole.write_json(a)
    part.write_json(b)
    assert a.getvalue() == b.getvalue()


def test_the_spilled_comments_leave_memory(tmp_path):
    """Measured in objects: once the list is dropped, only the analysed comments are alive, and
    iterating brings the others back one partition at a time, not all together."""
    thread = _thread(tmp_path, n=400)
    before = _live_comments() - len(thread.comments)
    spilled = SpilledComments(thread.comments, part=10)
    thread.comments = spilled
    assert _live_comments() - before == len(spilled.analysed) < len(spilled)
    most = 0
    for n, _ in enumerate(spilled):
        if n % 10 == 0:
            most = max(most, _live_comments() - before - len(spilled.analysed))
    assert 0 < most <= 10 + 1  # the partition being read (and the comment in hand)
    assert _live_comments() - before == len(spilled.analysed)
