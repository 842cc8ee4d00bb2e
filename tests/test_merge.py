"""The three-way merge behind "nothing typed is lost" (articles/merge.py)."""

from articles.merge import merge_fields, merge_paragraphs

BASE = "Crews met at dawn.\n\nTalks lasted all day.\n\nA vote comes on Monday."


def test_fields_only_one_side_changed_take_that_side():
    base = {"headline": "Strike ends", "deck": "Crews return", "tags": ["a", "b"]}
    theirs = {"headline": "Strike ends", "deck": "Crews return Monday", "tags": ["b", "a"]}
    mine = {"headline": "Ferry strike ends", "deck": "Crews return", "tags": ["a", "b"]}
    merged, conflicts = merge_fields(base, theirs, mine)
    assert merged == {"headline": "Ferry strike ends", "deck": "Crews return Monday", "tags": ["a", "b"]}
    assert conflicts == {}


def test_a_field_both_changed_differently_is_a_conflict_showing_both():
    merged, conflicts = merge_fields({"headline": "A"}, {"headline": "Theirs"}, {"headline": "Mine"})
    assert conflicts == {"headline": {"theirs": "Theirs", "mine": "Mine"}}
    assert merged["headline"] == "Mine"


def test_the_same_change_on_both_sides_is_no_conflict():
    assert merge_fields({"deck": "A"}, {"deck": "B"}, {"deck": "B\r\n"[:1]}) == ({"deck": "B"}, {})


def test_body_edits_to_different_paragraphs_merge_by_themselves():
    theirs = BASE.replace("at dawn", "at six")
    mine = BASE.replace("on Monday", "on Tuesday").replace("\n\n", "\r\n\r\n")
    merged, conflicts = merge_fields({"body": BASE}, {"body": theirs}, {"body": mine})
    assert conflicts == {}
    assert merged["body"] == "Crews met at six.\n\nTalks lasted all day.\n\nA vote comes on Tuesday."


def test_body_paragraphs_added_on_both_sides_in_different_places_are_all_kept():
    theirs = "Breaking.\n\n" + BASE
    mine = BASE + "\n\nMore to follow."
    assert merge_paragraphs(BASE, theirs, mine) == (theirs + "\n\nMore to follow.",) * 2


def test_overlapping_body_edits_are_a_choice_with_the_rest_merged_either_way():
    theirs = BASE.replace("all day", "all night").replace("at dawn", "at six")
    mine = BASE.replace("all day", "until noon")
    merged, conflicts = merge_fields({"body": BASE}, {"body": theirs}, {"body": mine})
    assert conflicts["body"]["theirs"] == "Crews met at six.\n\nTalks lasted all night.\n\nA vote comes on Monday."
    assert conflicts["body"]["mine"] == "Crews met at six.\n\nTalks lasted until noon.\n\nA vote comes on Monday."
    assert merged["body"] == conflicts["body"]["mine"]


def test_a_paragraph_one_side_deleted_and_the_other_left_alone_stays_deleted():
    theirs = "Crews met at dawn.\n\nA vote comes on Monday."
    mine = BASE.replace("Monday", "Tuesday")
    assert merge_paragraphs(BASE, theirs, mine)[1] == "Crews met at dawn.\n\nA vote comes on Tuesday."
