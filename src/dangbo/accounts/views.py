"""Password change and API keys (sign-in and sign-out are Django's views; their audit comes
from signals)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone

from dangbo.accounts.tokens import MAX_DAYS, token_create, token_revoke, tokens_of
from dangbo.audit.services import Action, audit_record
from dangbo.core.models import is_uuid
from dangbo.web.forms import VietnameseForm


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action=Action.PASSWORD_CHANGED, subject_type="user", subject_id=str(self.request.user.pk))
        return response


class TokenForm(VietnameseForm):
    name = forms.CharField(label="Tên gợi nhớ", max_length=100, help_text="Ví dụ: chương trình tổng hợp báo cáo")
    days = forms.IntegerField(label="Thời hạn (ngày)", min_value=1, max_value=MAX_DAYS, initial=90)


@login_required
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    """The user's own API keys: create one (shown once), revoke one."""
    new_key = None
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = tokens_of(user=request.user).filter(pk=request.POST.get("token") if is_uuid(request.POST.get("token")) else None).first()
        if token is None:
            raise Http404
        token_revoke(token=token)
        messages.success(request, f"Đã thu hồi khóa «{token.name}».")
        return redirect("api_tokens")
    if form.is_bound and form.is_valid():
        _, new_key = token_create(user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"])
        form = TokenForm()
    context = {"form": form, "tokens": tokens_of(user=request.user), "new_key": new_key, "now": timezone.now()}
    return render(request, "accounts/api_tokens.html", context)
