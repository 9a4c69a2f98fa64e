import datetime as dt

import pytest

from tests.procedure.conftest import open_case
from xuanren.common.errors import PermissionDenied
from xuanren.procedure.models import Case
from xuanren.procedure.todo import TodoKind, todo_for

pytestmark = pytest.mark.django_db


def test_a_case_waiting_for_integrity_opinions_is_on_the_list(personas, county, committee):
    case = open_case(personas, county, committee)
    on = dt.date(2026, 11, 27)
    kinds = {i.kind for i in todo_for(actor=personas.case_officer, on=on)}
    assert TodoKind.INTEGRITY_DUE not in kinds
    # Reaching the step is the other stages' business; here only the listing is tested.
    Case.objects.filter(pk=case.pk).update(current_step="integrity_opinion")
    items = [
        i for i in todo_for(actor=personas.case_officer, on=on) if i.kind == TodoKind.INTEGRITY_DUE
    ]
    assert len(items) == 1
    assert "3 日前书面征求" in items[0].text and items[0].mine
    assert todo_for(actor=personas.discipline, on=on, mine=True) == []
    with pytest.raises(PermissionDenied):
        todo_for(actor=personas.outsider, on=on)
