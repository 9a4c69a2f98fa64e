import pytest

from xuanren.people.services import family_member_add
from xuanren.procedure.recusal import conflicts

pytestmark = pytest.mark.django_db


def test_links_found_from_either_side_and_other_relations_ignored(county, make_cadre, admin):
    member = make_cadre(county.root, name="常委")
    nephew = make_cadre(county.town, name="外甥")
    friend = make_cadre(county.town, name="朋友")
    stranger = make_cadre(county.town, name="路人")
    family_member_add(
        actor=admin, cadre=nephew, relation="uncle_aunt", name="常委", related_cadre=member
    )
    family_member_add(
        actor=admin, cadre=member, relation="other", name="朋友", related_cadre=friend
    )
    found = conflicts([member.pk], [nephew.pk, friend.pk, stranger.pk])
    assert [(c.person_cadre_id, c.candidate_cadre_id, c.relation) for c in found] == [
        (member.pk, nephew.pk, "uncle_aunt")
    ]
    family_member_add(
        actor=admin, cadre=member, relation="spouse", name="配偶", related_cadre=stranger
    )
    assert {c.candidate_cadre_id for c in conflicts([member.pk], [stranger.pk, nephew.pk])} == {
        stranger.pk,
        nephew.pk,
    }
    assert conflicts([], [nephew.pk]) == []
