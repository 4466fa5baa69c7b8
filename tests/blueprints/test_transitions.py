"""The version state machine: every pair of states is checked against the transition map."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from blueprints import services
from blueprints.models import VERSION_TRANSITIONS, BlueprintVersion, VersionState
from blueprints.services import BlueprintError
from tests.blueprints.blueprint_helpers import create_version

ALL_PAIRS = list(itertools.product(VersionState.values, VersionState.values))


def test_the_map_follows_the_spec() -> None:
    assert VERSION_TRANSITIONS[VersionState.DRAFT] == {VersionState.SUBMITTED}
    assert VersionState.VERIFYING in VERSION_TRANSITIONS[VersionState.SUBMITTED]
    assert {
        VersionState.VERIFIED,
        VersionState.REJECTED,
        VersionState.ERROR,
    } <= VERSION_TRANSITIONS[VersionState.VERIFYING]
    assert VersionState.LISTED in VERSION_TRANSITIONS[VersionState.VERIFIED]
    # Only a verified version can be listed.
    assert [
        state for state, targets in VERSION_TRANSITIONS.items() if VersionState.LISTED in targets
    ] == [VersionState.VERIFIED]
    assert set(VERSION_TRANSITIONS) == set(VersionState.values)


@pytest.mark.parametrize(("from_state", "to_state"), ALL_PAIRS)
def test_each_transition_is_allowed_exactly_when_the_map_says(
    owner: Any, make_post: Any, from_state: str, to_state: str
) -> None:
    version = create_version(make_post(owner), owner, "handwritten/comfy_default_sd15.api.json")
    BlueprintVersion.objects.filter(pk=version.pk).update(state=from_state)
    version.refresh_from_db()
    events_before = version.events.count()

    if to_state in VERSION_TRANSITIONS[from_state]:
        changed = services.version_transition(
            version=version, to_state=to_state, actor=owner, note="test"
        )
        assert changed.state == to_state
        event = version.events.order_by("-id").first()
        assert (event.from_state, event.to_state, event.actor, event.note) == (
            from_state,
            to_state,
            owner,
            "test",
        )
        assert version.events.count() == events_before + 1
    else:
        with pytest.raises(BlueprintError) as raised:
            services.version_transition(version=version, to_state=to_state, actor=owner)
        assert (raised.value.code, raised.value.field) == ("invalid_transition", "state")
        assert raised.value.message == f"A {from_state} version cannot become {to_state}."
        version.refresh_from_db()
        assert version.state == from_state
        assert version.events.count() == events_before


def test_a_stale_copy_cannot_transition_twice(owner: Any, make_post: Any) -> None:
    version = create_version(make_post(owner), owner, "handwritten/comfy_default_sd15.api.json")
    BlueprintVersion.objects.filter(pk=version.pk).update(state=VersionState.SUBMITTED)
    first = BlueprintVersion.objects.get(pk=version.pk)
    stale = BlueprintVersion.objects.get(pk=version.pk)
    services.version_transition(version=first, to_state=VersionState.VERIFYING)

    with pytest.raises(BlueprintError) as raised:
        services.version_transition(version=stale, to_state=VersionState.VERIFYING)

    assert raised.value.code == "conflict"
    assert version.events.filter(to_state=VersionState.VERIFYING).count() == 1


@pytest.mark.parametrize(
    ("to_state", "stamp"),
    [
        (VersionState.SUBMITTED, "submitted_at"),
        (VersionState.VERIFIED, "verified_at"),
        (VersionState.LISTED, "listed_at"),
    ],
)
def test_transitions_stamp_their_time(
    owner: Any, make_post: Any, to_state: str, stamp: str
) -> None:
    version = create_version(make_post(owner), owner, "handwritten/comfy_default_sd15.api.json")
    previous = {
        VersionState.SUBMITTED: VersionState.DRAFT,
        VersionState.VERIFIED: VersionState.VERIFYING,
        VersionState.LISTED: VersionState.VERIFIED,
    }[to_state]
    BlueprintVersion.objects.filter(pk=version.pk).update(state=previous)
    version.refresh_from_db()

    changed = services.version_transition(version=version, to_state=to_state)

    assert getattr(changed, stamp) is not None
