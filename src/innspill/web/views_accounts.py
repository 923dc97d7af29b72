"""The site's accounts: login (with the lockout of ``security.py``), logout, and first-run setup
of the organiser's account (accepting an invitation is the consultations' page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import security
from .forms import AccountForm


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = AuthenticationForm(request, data=request.POST or None)
    status = 200
    if request.method == "POST":
        username, ip = request.POST.get("username", "")[:150], security.client_ip(request)
        if security.login_locked(username, ip):
            form = AuthenticationForm(request)
            messages.error(request, _("Too many failed attempts. Wait 15 minutes and try again."))
            status = 429
        elif form.is_valid():
            security.login_succeeded(username, ip)
            login(request, form.get_user())
            nxt = request.POST.get("next") or request.GET.get("next") or ""
            if url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
                return redirect(nxt)
            return redirect("web:dashboard")
        else:
            security.login_failed(username, ip)
            status = 400
    return render(request, "web/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_http_methods(["GET", "POST"])
def setup(request):
    """First run: create the organiser account (only while there are no users)."""
    User = get_user_model()
    if User.objects.exists():
        return redirect("web:login")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if User.objects.exists():
                return redirect("web:login")
            user = User.objects.create_superuser(form.cleaned_data["username"], form.cleaned_data["email"],
                                                 form.cleaned_data["password1"])
        login(request, user)
        return redirect("web:dashboard")
    return render(request, "web/setup.html", {"form": form})


@require_POST
def logout_view(request):
    from django.contrib.auth import logout

    logout(request)
    return redirect("web:home")
