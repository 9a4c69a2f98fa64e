"""Where a request comes from, for the lockout (axes) and the access record.

The middleware puts the request's path and client address in a context
variable, so that a service recording a look at personal data knows where it
was asked from without every caller passing the request down (and a command
run from the shell records "命令行" instead).
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest

from xuanren.common.http import client_address


def axes_client_address(request: HttpRequest) -> str | None:
    """client_address for django-axes: None when it is not an IP address
    (a test request without REMOTE_ADDR), since axes stores it in an inet
    column on PostgreSQL."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


@dataclass(frozen=True)
class RequestContext:
    path: str
    address: str


#: No request (a command, a test calling a service): path and address empty.
NO_REQUEST = RequestContext(path="", address="")
_current: ContextVar[RequestContext] = ContextVar("xuanren_request", default=NO_REQUEST)


def current_request() -> RequestContext:
    return _current.get()


def enter_request(request: HttpRequest) -> object:
    """Set the context for this request; returns the token to reset it."""
    return _current.set(RequestContext(path=request.path[:500], address=client_address(request)))


def leave_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
