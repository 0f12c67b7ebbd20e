"""JOBS_QUEUES and JOBS_EXCLUDE_QUEUES: names or globs, push queues included, typos refused."""

import pytest

from entrypoints.queue_selection import QueueSelection, QueueSelectionError

FIXED = ["test", "passwordreset_v1", "invitation_v2", "userupdated_v1", "roleupdated_v1"]
FAMILIES = ["sendwsuserupdated_v1", "sendwsroleupdated_v1"]
APP = "5c0e1a2b-0000-4000-8000-0000000c011c"


def selection(include: str | None = None, exclude: str | None = None) -> QueueSelection:
    chosen = QueueSelection.parse(include, exclude)
    chosen.check(FIXED, FAMILIES)
    return chosen


def test_by_default_every_queue_is_consumed() -> None:
    chosen = selection()
    assert chosen.is_everything
    assert all(chosen.consumes(queue) for queue in [*FIXED, f"sendwsuserupdated_v1_{APP}"])
    assert chosen.describe() == "every queue"


def test_names_and_globs_with_spaces_and_empty_entries() -> None:
    chosen = selection(" test, passwordreset_v1 ,,sendws* ")
    assert [q for q in FIXED if chosen.consumes(q)] == ["test", "passwordreset_v1"]
    assert chosen.consumes(f"sendwsroleupdated_v1_{APP}")
    assert not chosen.consumes("userupdated_v1")
    assert chosen.describe() == "test,passwordreset_v1,sendws*"


def test_exclusions_apply_after_inclusions_and_to_per_application_queues() -> None:
    chosen = selection(exclude="sendws*,*updated_v1")
    assert [q for q in FIXED if chosen.consumes(q)] == ["test", "passwordreset_v1", "invitation_v2"]
    assert not chosen.consumes(f"sendwsuserupdated_v1_{APP}")
    assert chosen.describe() == "* except sendws*,*updated_v1"


def test_matching_is_case_sensitive_as_redis_names_are() -> None:
    with pytest.raises(QueueSelectionError, match="'TEST' matches no queue"):
        selection("TEST")


def test_one_applications_push_queue_can_be_named() -> None:
    chosen = selection(f"sendwsuserupdated_v1_{APP}")
    assert chosen.consumes(f"sendwsuserupdated_v1_{APP}")
    assert not chosen.consumes("sendwsuserupdated_v1_other")
    assert not any(chosen.consumes(queue) for queue in FIXED)


@pytest.mark.parametrize(
    ("include", "exclude", "problems"),
    [
        ("pasword*", None, ["JOBS_QUEUES: 'pasword*' matches no queue (see 'dsi-jobs jobs')"]),
        ("test,invitation_v3", "sendwsorg*",
         ["JOBS_QUEUES: 'invitation_v3' matches no queue (see 'dsi-jobs jobs')",
          "JOBS_EXCLUDE_QUEUES: 'sendwsorg*' matches no queue (see 'dsi-jobs jobs')"]),
        ("sendwsuserupdated_v1_", None,
         ["JOBS_QUEUES: 'sendwsuserupdated_v1_' matches no queue (see 'dsi-jobs jobs')"]),
        ("test", "t*", ["JOBS_QUEUES, JOBS_EXCLUDE_QUEUES: together they select no queue"]),
    ],
)  # fmt: skip
def test_a_pattern_that_matches_nothing_is_refused_naming_it(
    include: str, exclude: str | None, problems: list[str]
) -> None:
    with pytest.raises(QueueSelectionError) as refused:
        selection(include, exclude)
    assert refused.value.problems == problems
