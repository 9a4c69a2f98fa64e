"""Mounted at /ballots/: meetings, the voter's ballot page, the teller console
and result sheets."""

app_name = "ballots"

urlpatterns: list = []
