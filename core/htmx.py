"""The htmx helpers every view shares: is this a fragment request, the page or
its fragment (render_htmx), a redirect either way, an event, and `Vary:
HX-Request`. A header only one place needs is set there: HX-Push-Url by the
directory's search, HX-Redirect to the sign-in page by core/permissions.py, and
the error fragments' retry by app.py and static/js."""
from flask import make_response, render_template, request


def is_htmx() -> bool:
    # History restoration is configured to arrive as a normal request, so an
    # HX-Request is always a fragment request.
    return request.headers.get("HX-Request") == "true"


def render_htmx(page_template: str, fragment_template: str, /, status: int = 200, **context):
    """The full page for a normal request, just the fragment for htmx.

    The page includes the very fragment template, so the two cannot drift.
    """
    template = fragment_template if is_htmx() else page_template
    return make_response(render_template(template, **context), status)


def hx_redirect(url: str):
    """Redirect that works for both htmx and plain requests."""
    from flask import redirect
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)


def hx_trigger(response, event: str):
    response.headers["HX-Trigger"] = event
    return response


def add_vary_header(response):
    response.vary.add("HX-Request")
    return response
