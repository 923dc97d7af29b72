"""Response headers for every page: a Content-Security-Policy on HTML (scripts and styles only
from this site's own files, no inline script, no framing, forms only to this site). A view that
serves another kind of HTML (the brief) sets its own policy, which is kept."""

from __future__ import annotations

APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
           "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# the brief as HTML: one self-contained document with its style inline and its charts as SVG, no script
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = APP_CSP
        return response
