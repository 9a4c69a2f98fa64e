"""The ballot endpoints answer only to a valid code or a roster login, only
while the meeting is open; wrong codes are rate-limited per address; codes
never appear in a logged address (live server)."""

from __future__ import annotations

import html
import re

import httpx

from tests.security.conftest import LiveServer

API = "/api/v1"


def _demo_meeting(server: LiveServer) -> tuple[int, list[str]]:
    """The demo's open recommendation meeting and the codes printed for it."""
    out = (server.var_dir / "demo-output.txt").read_text(encoding="utf-8")
    mid = int(re.search(r"/ballots/(\d+)/vote/", out).group(1))
    codes = re.findall(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", out.split("投票码投票")[1].splitlines()[0])
    return mid, codes


def test_the_ballot_needs_a_code_or_a_roster_login_and_an_open_meeting(
    make_live_server,
) -> None:
    server = make_live_server()
    mid, codes = _demo_meeting(server)
    anyone = httpx.Client(base_url=server.url)
    assert anyone.get(f"{API}/ballots/meetings/{mid}/ballot").status_code == 401
    # No permission to vote with a login at all: 403; a login not on the roster: 404.
    assert server.client("outsider").get(f"{API}/ballots/meetings/{mid}/ballot").status_code == 403
    assert server.client("member").get(f"{API}/ballots/meetings/{mid}/ballot").status_code == 404
    assert (
        server.client("participant").get(f"{API}/ballots/meetings/{mid}/ballot").status_code == 200
    )
    assert (
        anyone.post(f"{API}/ballots/meetings/{mid}/ballot", json={"code": codes[0]}).status_code
        == 200
    )
    # Meetings not open: closed (the demo's decision meeting), set up, or none.
    (closed,) = server.sql("SELECT MIN(id) FROM ballots_meeting WHERE status = 'closed'")[0]
    for other in (closed, 999999):
        assert (
            anyone.post(
                f"{API}/ballots/meetings/{other}/ballot", json={"code": codes[0]}
            ).status_code
            == 404
        )
        assert anyone.get(f"/ballots/{other}/vote/").status_code == 404
    page = anyone.get(f"/ballots/{mid}/vote/")
    assert page.status_code == 200 and "人选" not in page.text  # only the code form


def test_wrong_codes_are_rate_limited_per_address(make_live_server) -> None:
    server = make_live_server()
    mid, codes = _demo_meeting(server)
    anyone = httpx.Client(base_url=server.url)
    statuses = [
        anyone.post(
            f"{API}/ballots/meetings/{mid}/ballot", json={"code": f"ZZZZZ-ZZZ{n:02d}"}
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [404] * 10 and statuses[10:] == [429, 429]
    # Past the limit the right code is refused too, with a Chinese message.
    r = anyone.post(f"{API}/ballots/meetings/{mid}/ballot", json={"code": codes[0]})
    assert r.status_code == 429 and "投票码输错次数过多" in r.json()["message"]
    web = anyone.post(f"/ballots/{mid}/vote/", data={"action": "code", "code": codes[1]},
                      headers={"X-CSRFToken": "x"})  # fmt: skip
    assert web.status_code in {403, 429}  # CSRF first for a cookieless post; never a ballot


def test_voting_through_the_page_keeps_the_code_out_of_every_address(make_live_server) -> None:
    server = make_live_server()
    mid, codes = _demo_meeting(server)
    voter = server.client()
    voter.get(f"/ballots/{mid}/vote/")
    entered = voter.post(f"/ballots/{mid}/vote/", data={"action": "code", "code": codes[0]})
    assert entered.status_code == 302 and codes[0] not in entered.headers["location"]
    ballot = voter.get(f"/ballots/{mid}/vote/")
    assert ballot.status_code == 200 and "下一步：确认" in ballot.text
    confirm = voter.post(f"/ballots/{mid}/vote/", data={})
    content_json = re.search(r'name="content_json" value="([^"]*)"', confirm.text).group(1)
    done = voter.post(
        f"/ballots/{mid}/vote/", data={"confirm": "1", "content_json": html.unescape(content_json)}
    )
    assert done.status_code == 200 and "投票成功" in done.text
    # The same code again, through the page: refused at entry, 409 like the API.
    again = server.client()
    again.get(f"/ballots/{mid}/vote/")
    twice = again.post(f"/ballots/{mid}/vote/", data={"action": "code", "code": codes[0]})
    assert twice.status_code == 409 and "已经投过票" in twice.text
    after = again.post(
        f"/ballots/{mid}/vote/", data={"confirm": "1", "content_json": html.unescape(content_json)}
    )
    assert after.status_code == 200 and 'id="code-form"' in after.text
    log = server.log()
    assert f"/ballots/{mid}/vote/" in log
    assert codes[0] not in log and codes[0].replace("-", "") not in log
