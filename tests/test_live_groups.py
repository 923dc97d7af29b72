"""innspill.live/1 results: opinion groups, group-aware consensus / divisive, straight-liners, validation."""

import copy
import json
import random

import pytest
from sklearn.metrics import adjusted_rand_score

from innspill.votes.results import LiveFormatError, build_results

AT = "2026-11-25T18:{:02d}:{:02d}Z"

# planted opinions of the two groups on 12 statements: (large group, small group); None = random noise
PLANTED = {
    1: (1, 1), 2: (1, 1), 3: (1, 1),      # everybody agrees
    4: (-1, -1),                          # everybody disagrees
    5: (1, -1),                           # the large group agrees, the small group rejects: divisive
    6: (-1, 1), 7: (1, -1), 8: (-1, 1),   # split by group
    9: None, 10: None, 11: None, 12: None,  # noise
}
LARGE, SMALL = 40, 12


def statement(sid, kind="statement", **extra):
    st = {"id": sid, "kind": kind, "text": f"Statement {sid}", "question_id": "q1", "source": "audience",
          "hidden": False, "revealed": True, "locked": False, "position": sid}
    st.update(extra)
    return st


def dataset(large=LARGE, small=SMALL, straight_liners=0, flip=0.05, seed=7):
    """Two planted groups (p1..p<large>, then the small group), plus ``straight_liners`` who agree with all."""
    rng = random.Random(seed)
    participants, votes, truth = [], [], {}
    people = [0] * large + [1] * small + [None] * straight_liners
    for i, group in enumerate(people):
        pid = f"p{i + 1}"
        participants.append({"id": pid, "joined": "2026-11-25T18:01:00Z"})
        truth[pid] = group
        for sid, planted in PLANTED.items():
            if group is None:
                vote = 1
            elif planted is None:
                vote = rng.choice((1, -1, 0))
            else:
                vote = planted[group]
                if rng.random() < flip:
                    vote = rng.choice((0, -vote))
            votes.append({"participant": pid, "statement": sid, "vote": vote, "at": AT.format(2 + sid, i % 60)})
    data = {
        "schema": "innspill.live/1",
        "session": {"code": "K7M4QX", "title": "Test", "language": "nb", "consultation": None,
                    "started": "2026-11-25T18:00:00Z", "ended": None, "exported": "2026-11-25T19:00:00Z"},
        "statements": [statement(sid) for sid in PLANTED],
        "participants": participants,
        "votes": votes,
    }
    return data, truth


def test_planted_groups_are_recovered():
    data, truth = dataset()
    result = build_results(data)
    groups = result["groups"]
    assert groups is not None, result["notes"]
    assert groups["k"] == 2
    assert sorted(groups["sizes"]) == [SMALL, LARGE]
    assert groups["sizes"][0] == LARGE            # group 0 is the largest
    members = groups["members"]
    assert set(members) == set(truth)
    pids = sorted(truth)
    assert adjusted_rand_score([truth[p] for p in pids], [members[p] for p in pids]) == 1.0
    assert set(groups["points"]) == set(truth) and all(len(xy) == 2 for xy in groups["points"].values())
    assert 0.3 < groups["silhouette"] <= 1.0
    assert len(groups["explained_variance"]) == 2 and groups["explained_variance"][0] > groups["explained_variance"][1]
    assert groups["min_votes"] == 5
    # per-group tallies add up to the counts (everyone is grouped here)
    for sid, rows in groups["by_group"].items():
        assert sum(r["n"] for r in rows) == result["counts"][sid]["total"]
        assert sum(r["agree"] for r in rows) == result["counts"][sid]["agree"]
    json.dumps(result)                            # JSON-serialisable, with plain Python types only
    assert _plain(result)


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return type(value) in (int, float, str, bool, type(None))


def test_consensus_and_divisive_are_the_planted_ones_and_the_small_group_is_not_outvoted():
    data, _ = dataset()
    result = build_results(data)
    consensus = {c["statement"]: c["direction"] for c in result["consensus"]}
    assert consensus == {1: "agree", 2: "agree", 3: "agree", 4: "disagree"}
    divisive = [d["statement"] for d in result["divisive"]]
    assert set(divisive) == {5, 6, 7, 8}
    spreads = [d["spread"] for d in result["divisive"]]
    assert spreads == sorted(spreads, reverse=True) and min(spreads) >= 0.5
    # statement 5: the large group (40) agrees, the small one (12) rejects. Counted over the whole
    # audience it has ~74 % agreement and would pass as consensus; group-aware it is divisive.
    c5 = result["counts"]["5"]
    assert c5["agree"] / c5["total"] >= 0.6
    assert 5 not in consensus
    rows = {r["group"]: r for r in result["groups"]["by_group"]["5"]}
    assert rows[0]["agree_share"] >= 0.8 and rows[1]["disagree_share"] >= 0.8
    for c in result["consensus"]:
        shares = [r[f"{c['direction']}_share"] for r in result["groups"]["by_group"][str(c["statement"])]]
        assert c["min_share"] == min(shares) >= 0.6


@pytest.mark.parametrize("seed", range(10))
def test_recovery_holds_across_generated_datasets(seed):
    # 5 % of planted votes flipped: a participant with two flips among the four split statements is
    # genuinely ambiguous, so membership may be off by one; consensus and divisive must be exact
    data, truth = dataset(seed=seed)
    result = build_results(data)
    members = result["groups"]["members"]
    pids = sorted(truth)
    assert result["groups"]["k"] == 2
    assert adjusted_rand_score([truth[p] for p in pids], [members[p] for p in pids]) >= 0.9
    assert {c["statement"] for c in result["consensus"]} == {1, 2, 3, 4}
    assert {d["statement"] for d in result["divisive"]} == {5, 6, 7, 8}


def test_deterministic_for_a_seed():
    data, _ = dataset()
    first = build_results(data, seed=3)
    again = build_results(copy.deepcopy(data), seed=3)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_counts_and_participants_voting():
    data, _ = dataset()
    data["participants"].append({"id": "silent", "joined": "2026-11-25T18:05:00Z"})
    data["statements"].append(statement(13))
    result = build_results(data)
    assert result["participants_voting"] == LARGE + SMALL
    assert result["counts"]["13"] == {"agree": 0, "disagree": 0, "pass": 0, "total": 0}
    c1 = result["counts"]["1"]
    assert c1["total"] == LARGE + SMALL == c1["agree"] + c1["disagree"] + c1["pass"]
    assert result["schema"] == "innspill.live/1" and result["session"]["code"] == "K7M4QX"
    assert "counts" not in data                    # the input is not changed


def test_straight_liners_flagged_and_excluded_when_asked():
    data, truth = dataset(straight_liners=3)
    liners = [p for p, g in truth.items() if g is None]
    included = build_results(data)
    assert included["straight_liners"] == liners
    assert included["straight_liners_included"] is True
    assert set(liners) <= set(included["groups"]["members"])

    excluded = build_results(data, include_straight_liners=False)
    assert excluded["straight_liners"] == liners
    assert excluded["straight_liners_included"] is False
    members = excluded["groups"]["members"]
    assert not set(liners) & set(members)
    assert len(members) == LARGE + SMALL
    assert sum(r["n"] for r in excluded["groups"]["by_group"]["1"]) == LARGE + SMALL
    assert excluded["counts"] == included["counts"]   # counts always include everyone


def test_straight_liner_rule_ignores_passes_and_needs_three_votes():
    data, _ = dataset(large=6, small=0, flip=0)
    # p1: agree, agree, pass x10 -> only 2 sided votes, not a straight-liner
    data["votes"] = [v for v in data["votes"] if v["participant"] != "p1"]
    data["votes"] += [{"participant": "p1", "statement": s, "vote": 1 if s <= 2 else 0} for s in range(1, 13)]
    # p2: disagree on everything it voted on, passes ignored -> a straight-liner
    data["votes"] = [v for v in data["votes"] if v["participant"] != "p2"]
    data["votes"] += [{"participant": "p2", "statement": s, "vote": -1 if s <= 3 else 0} for s in range(1, 13)]
    result = build_results(data)
    assert "p1" not in result["straight_liners"]
    assert "p2" in result["straight_liners"]


def test_too_few_participants_gives_no_groups_and_a_note():
    data, _ = dataset(large=3, small=2, flip=0)
    result = build_results(data)
    assert result["groups"] is None
    assert result["divisive"] == []
    assert any("at least 6 participants" in n and "5 have" in n for n in result["notes"])
    assert result["notes_detail"][0]["code"] == "too_few_participants"
    # without groups consensus counts the whole audience: 5 votes, >= 60 % one way
    consensus = {c["statement"]: c["direction"] for c in result["consensus"]}
    assert consensus[1] == "agree" and consensus[4] == "disagree"
    assert consensus[5] == "agree" and consensus[6] == "disagree"   # 3 of 5 (60 %) each
    # p1 now passes on statement 5: 2 agree, 2 disagree, 1 pass -> no consensus
    next(v for v in data["votes"] if v["participant"] == "p1" and v["statement"] == 5)["vote"] = 0
    assert 5 not in [c["statement"] for c in build_results(data)["consensus"]]


def test_participants_with_too_few_votes_are_left_out_of_groups():
    data, _ = dataset()
    # p1 votes on only 2 statements: below min_votes (5), so not in a group but counted
    data["votes"] = [v for v in data["votes"] if v["participant"] != "p1" or v["statement"] <= 2]
    result = build_results(data)
    assert "p1" not in result["groups"]["members"]
    assert len(result["groups"]["members"]) == LARGE + SMALL - 1
    assert result["participants_voting"] == LARGE + SMALL
    # min_votes is capped at the number of statements with votes (as Pol.is does)
    capped = build_results(data, min_votes=50)
    assert capped["groups"]["min_votes"] == 12
    assert len(capped["groups"]["members"]) == LARGE + SMALL - 1


def test_hidden_statements_are_left_out_of_groups_and_consensus():
    data, _ = dataset()
    data["statements"][0]["hidden"] = True          # statement 1, a consensus statement
    data["statements"][4]["hidden"] = True          # statement 5, a divisive one
    result = build_results(data)
    assert "1" not in result["groups"]["by_group"] and "5" not in result["groups"]["by_group"]
    assert 1 not in [c["statement"] for c in result["consensus"]]
    assert 5 not in [d["statement"] for d in result["divisive"]]
    assert result["counts"]["1"]["total"] == LARGE + SMALL


def test_too_few_statements_gives_no_groups():
    data, _ = dataset(flip=0)
    data["votes"] = [v for v in data["votes"] if v["statement"] == 5]
    result = build_results(data)
    assert result["groups"] is None
    assert any("at least 2 visible statements" in n for n in result["notes"])


def test_identical_voters_give_no_groups():
    data, _ = dataset(large=8, small=0, flip=0)
    data["votes"] = [v for v in data["votes"] if PLANTED[v["statement"]] is not None]
    result = build_results(data)
    assert result["groups"] is None
    assert any("voted the same way" in n for n in result["notes"])


def test_a_changed_vote_counts_once_the_latest_wins():
    data, _ = dataset()
    first = next(v for v in data["votes"] if v["participant"] == "p1" and v["statement"] == 1)
    assert first["vote"] == 1
    before = build_results(data)["counts"]["1"]
    # a later vote by p1 on statement 1 (listed after) changes agree -> disagree
    data["votes"].append({"participant": "p1", "statement": 1, "vote": -1, "at": "2026-11-25T18:30:00Z"})
    # an older vote listed even later does not override it
    data["votes"].append({"participant": "p1", "statement": 1, "vote": 0, "at": "2026-11-25T18:00:30Z"})
    result = build_results(data)
    after = result["counts"]["1"]
    assert after["total"] == before["total"]
    assert after["agree"] == before["agree"] - 1 and after["disagree"] == before["disagree"] + 1
    assert any("2 repeated vote" in n for n in result["notes"])
    assert {"code": "repeated_votes", "count": 2} in result["notes_detail"]
    # without timestamps the later one in the list wins
    data["votes"][-2].pop("at")
    data["votes"][-1].pop("at")
    assert build_results(data)["counts"]["1"]["pass"] == before["pass"] + 1


@pytest.mark.parametrize("mutate, code, place", [
    (lambda d: d.update(schema="innspill.analysis/1"), "E401", "schema"),
    (lambda d: d.pop("votes"), "E402", "missing 'votes'"),
    (lambda d: d["votes"].__setitem__(12, {**d["votes"][12], "statement": 99}), "E404",
     "votes[12]: unknown statement 99"),
    (lambda d: d["votes"].__setitem__(3, {**d["votes"][3], "participant": "p999"}), "E405",
     "votes[3]: unknown participant 'p999'"),
    (lambda d: d["votes"].__setitem__(4, {**d["votes"][4], "vote": 2}), "E406", "votes[4].vote"),
    (lambda d: d["votes"].__setitem__(4, {**d["votes"][4], "vote": True}), "E406", "votes[4].vote"),
    (lambda d: d["votes"].__setitem__(5, {**d["votes"][5], "statement": "1"}), "E402", "votes[5].statement"),
    (lambda d: d["votes"][6].pop("vote"), "E402", "votes[6]: missing 'vote'"),
    (lambda d: d["votes"].__setitem__(7, {**d["votes"][7], "at": "yesterday"}), "E408", "votes[7].at"),
    (lambda d: d["votes"].__setitem__(8, {**d["votes"][8], "at": 1795629780}), "E408", "votes[8].at"),
    (lambda d: d["votes"].__setitem__(9, {**d["votes"][9], "participant": ["p1"]}), "E402", "votes[9].participant"),
    (lambda d: d["votes"].__setitem__(10, "p1,1,1"), "E402", "votes[10]: expected an object"),
    (lambda d: d["statements"].append(statement(3)), "E403", "statements[12].id"),
    (lambda d: d["statements"][2].update(kind="poll"), "E407", "statements[2].kind"),
    (lambda d: d["statements"][2].update(source="twitter"), "E407", "statements[2].source"),
    (lambda d: d["statements"][1].pop("text"), "E402", "statements[1]: missing 'text'"),
    (lambda d: d["statements"][1].update(hidden="no"), "E402", "statements[1].hidden"),
    (lambda d: d["participants"].append({"id": "p2"}), "E403", "participants[52].id"),
    (lambda d: d["participants"].__setitem__(0, "p1"), "E402", "participants[0]"),
])
def test_bad_input_is_a_live_format_error_with_the_place(mutate, code, place):
    data, _ = dataset()
    mutate(data)
    with pytest.raises(LiveFormatError) as err:
        build_results(data)
    assert err.value.code == code
    assert place in str(err.value)
    assert str(err.value).startswith(f"error {code}: ")


def test_not_a_dict_and_bad_options():
    with pytest.raises(LiveFormatError, match="E401"):
        build_results([])
    data, _ = dataset()
    with pytest.raises(LiveFormatError, match="min_votes"):
        build_results(data, min_votes=0)


def test_questions_and_statements_are_both_counted():
    data, _ = dataset()
    data["statements"][0]["kind"] = "question"
    data["statements"][0]["source"] = "question"
    result = build_results(data)
    assert result["counts"]["1"]["agree"] > 0
    assert "1" in result["groups"]["by_group"]


def test_planted_groups_and_consensus_at_1000_participants():
    """The benchmark's audience (benchmarks/live_groups_bench.py: 1,000 participants, 30
    statements, three planted groups, 20 % of votes missing, 10 % noise): the groups found are the
    planted ones and the consensus is exactly the statements every group agrees with. Speed is
    measured by that benchmark (make bench), not asserted here."""
    from scriptload import load_script


    bench = load_script("benchmarks/live_groups_bench.py")
    result = build_results(bench.generate(1000, 30))
    members = result["groups"]["members"]
    planted = [int(p[1:]) % 3 for p in members]
    assert result["groups"]["k"] == 3
    assert adjusted_rand_score(planted, list(members.values())) == 1.0
    assert {c["statement"] for c in result["consensus"]} == {s for s in range(1, 31) if s % 3 == 0}
    assert all(c["direction"] == "agree" and c["min_share"] > 0.85 for c in result["consensus"])


# ---------------------------------------------------------------- Pol.is export


def _vote_set(votes):
    return sorted((v["participant"], v["statement"], v["vote"], v.get("at")) for v in votes)


def test_polis_export_written_and_read_back_equal_to_the_votes(tmp_path):
    from innspill.votes.polis import read_polis, write_polis

    data, _ = dataset()
    data["statements"][1]["text"] = 'Kantina bør ha «grønne» dager, også "fredag", med komma'
    data["statements"][11]["hidden"] = True
    result = build_results(data)
    paths = write_polis(result, tmp_path)
    assert [p.name for p in paths] == ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"]

    lines = {p.name: p.read_text(encoding="utf-8").splitlines() for p in paths}
    assert lines["comments.csv"][0] == "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body"
    assert lines["votes.csv"][0] == "timestamp,datetime,comment-id,voter-id,vote"
    assert lines["participants-votes.csv"][0] == (
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree," + ",".join(str(s) for s in PLANTED))
    assert [line.split(",")[0] for line in lines["summary.csv"]] == [
        "topic", "url", "voters", "voters-in-conv", "commenters", "comments", "groups", "conversation-description"]
    assert "groups,2" in lines["summary.csv"] and f"voters,{LARGE + SMALL}" in lines["summary.csv"]
    # votes.csv: 1 = agree, JavaScript-style datetime, sorted by comment then voter
    first = lines["votes.csv"][1].split(",")
    assert first[2:4] == ["1", "1"]
    assert first[1] == "Wed Nov 25 2026 18:03:00 GMT+0000 (Coordinated Universal Time)"
    assert int(first[0]) == 1795629780
    # participants-votes.csv: p1 is in the large group (0), one column per statement
    row = lines["participants-votes.csv"][1].split(",")
    assert row[0] == "1" and row[1] == "0" and row[3] == "12"

    back = read_polis(tmp_path)
    assert _vote_set(back["votes"]) == _vote_set(data["votes"])
    assert [p["id"] for p in back["participants"]] == sorted((p["id"] for p in data["participants"]),
                                                             key=lambda p: int(p[1:]))
    assert [s["text"] for s in back["statements"]] == [s["text"] for s in data["statements"]]
    assert [s["hidden"] for s in back["statements"]] == [s["hidden"] for s in data["statements"]]
    assert back["session"]["title"] == "Test"
    # the read-back data is valid input and gives the same counts and groups
    again = build_results(back)
    assert again["counts"] == result["counts"]
    assert again["groups"]["members"] == result["groups"]["members"]


def test_polis_export_writes_only_the_last_vote_and_computes_results_when_given_data(tmp_path):
    from innspill.votes.polis import read_polis, write_polis

    data, _ = dataset(large=4, small=0, flip=0)        # too few for groups: group-id empty
    data["votes"].append({"participant": "p1", "statement": 1, "vote": -1, "at": "2026-11-25T18:40:00Z"})
    write_polis(data, tmp_path)                         # plain data: results are computed
    back = read_polis(tmp_path)
    assert len(back["votes"]) == len(data["votes"]) - 1
    assert next(v for v in back["votes"] if v["participant"] == "p1" and v["statement"] == 1)["vote"] == -1
    rows = (tmp_path / "participants-votes.csv").read_text(encoding="utf-8").splitlines()
    assert all(r.split(",")[1] == "" for r in rows[1:])
    assert "groups,0" in (tmp_path / "summary.csv").read_text(encoding="utf-8")


def test_polis_export_non_numbered_participant_ids(tmp_path):
    from innspill.votes.polis import polis_ids, read_polis, write_polis

    data, _ = dataset(large=6, small=0)
    rename = {p["id"]: f"anon-{i}" for i, p in enumerate(data["participants"])}
    for p in data["participants"]:
        p["id"] = rename[p["id"]]
    for v in data["votes"]:
        v["participant"] = rename[v["participant"]]
    assert polis_ids(data["participants"]) == {f"anon-{i}": i for i in range(6)}
    write_polis(data, tmp_path)
    back = read_polis(tmp_path)
    assert _vote_set(back["votes"]) == _vote_set(
        [{**v, "participant": f"p{v['participant'].split('-')[1]}"} for v in data["votes"]])


def test_read_polis_from_participants_votes_only_and_bad_files(tmp_path):
    from innspill.votes.polis import read_polis, write_polis

    data, _ = dataset()
    write_polis(data, tmp_path)
    (tmp_path / "votes.csv").unlink()
    back = read_polis(tmp_path)
    assert _vote_set(back["votes"]) == _vote_set([{k: v[k] for k in ("participant", "statement", "vote")}
                                                  for v in data["votes"]])

    (tmp_path / "participants-votes.csv").write_text("participant,group-id,n-comments,n-votes,n-agree,n-disagree,1\n"
                                                     "x,,0,1,1,0,1\n", encoding="utf-8")
    with pytest.raises(LiveFormatError, match="E410: participants-votes.csv line 2: expected an integer"):
        read_polis(tmp_path)
    (tmp_path / "comments.csv").write_text("id,text\n1,hei\n", encoding="utf-8")
    with pytest.raises(LiveFormatError, match="comments.csv line 1: expected the columns"):
        read_polis(tmp_path)
    with pytest.raises(LiveFormatError, match="file not found"):
        read_polis(tmp_path / "nowhere")


def test_read_polis_line_numbers_count_multiline_comments(tmp_path):
    from innspill.votes.polis import read_polis, write_polis

    data, _ = dataset(large=6, small=0)
    data["statements"][0]["text"] = "First line\nsecond line"
    write_polis(data, tmp_path)
    back = read_polis(tmp_path)
    assert back["statements"][0]["text"] == "First line\nsecond line"
    text = (tmp_path / "comments.csv").read_text(encoding="utf-8").rstrip("\n") + "\n\nnot-a-number,x,y,z,1,1,1,t\n"
    (tmp_path / "comments.csv").write_text(text, encoding="utf-8")
    # 1 header + 12 statements (one of them two lines) + a blank line -> the bad row is line 16
    with pytest.raises(LiveFormatError, match="comments.csv line 16: expected an integer"):
        read_polis(tmp_path)
