"""Password change and API keys (sign-in and sign-out are Django's views; their audit comes
from signals).
And the administration of accounts and roles: the list of who holds which role where (and its
export), creating an account, granting and revoking roles, deactivating, resetting a password.
Thin: every check and change is in ``accounts.services`` and ``accounts.selectors``."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangbo.accounts import selectors, services
from dangbo.accounts.forms import AccountCreateForm, ConfirmForm, RoleFilterForm, RoleTargetForm
from dangbo.accounts.models import AccessRole, TokenAccess
from dangbo.accounts.services import must_change_password, user_password_change
from dangbo.accounts.tokens import MAX_DAYS, token_create, token_revoke, tokens_of
from dangbo.accounts.twofactor import has_second_factor, second_factor_required
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.forms import VietnameseForm
from dangbo.core.http import ScopedRequest
from dangbo.core.models import is_uuid
from dangbo.core.pages import page_number, spreadsheet_download
from dangbo.core.pagination import CappedPaginator
from dangbo.core.spreadsheet import list_title, scope_name


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form checks the old password and the rules; the service sets the new one (and
    audits it, lifts a forced change, revokes the user's API keys)."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        user_password_change(user=self.request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, self.request.user)  # this session stays signed in
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["must_change"] = must_change_password(self.request.user)
        return context


class TokenForm(VietnameseForm):
    name = forms.CharField(
        label="Tên gợi nhớ", max_length=100, help_text="Ví dụ: chương trình tổng hợp báo cáo"
    )
    days = forms.IntegerField(label="Thời hạn (ngày)", min_value=1, max_value=MAX_DAYS, initial=90)
    access = forms.ChoiceField(
        label="Quyền của khóa",
        choices=TokenAccess.choices,
        initial=TokenAccess.READ,
        required=False,  # not chosen: read-only
        widget=forms.RadioSelect,
        help_text="Khóa chỉ đọc bị từ chối khi chương trình gửi yêu cầu thay đổi dữ liệu (POST, PUT, PATCH, DELETE).",
    )


@login_required
def api_tokens_view(request: ScopedRequest) -> HttpResponse:
    """The user's own API keys: create one (shown once), revoke one."""
    new_key = None
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = (
            tokens_of(user=request.user)
            .filter(pk=request.POST.get("token") if is_uuid(request.POST.get("token")) else None)
            .first()
        )
        if token is None:
            raise Http404
        token_revoke(token=token)
        messages.success(request, f"Đã thu hồi khóa «{token.name}».")
        return redirect("accounts:api_tokens")
    if form.is_bound and form.is_valid():
        _, new_key = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            access=form.cleaned_data["access"] or TokenAccess.READ,
        )
        form = TokenForm()
    context = {
        "form": form,
        "tokens": tokens_of(user=request.user),
        "new_key": new_key,
        "now": clock.now(),
    }
    return render(request, "accounts/api_tokens.html", context)


# --- administration of accounts and roles ---------------------------------------------------
PER_PAGE = 50
EXPORT_FORMATS = ("xlsx", "csv")
MAX_QUERY_STRING = 2000


def managers_only(view):
    """Administrators and officers; anyone else gets a 403 page (and the attempt is audited)."""

    @wraps(view)
    @login_required
    def wrapped(request: ScopedRequest, *args, **kwargs):
        if not request.scope.manages_accounts:
            audit_record(
                action=Action.REFUSED,
                data={
                    "reason": "not_account_manager",
                    "page": request.resolver_match.url_name if request.resolver_match else "",
                },
            )
            return render(request, "accounts/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def managed_account(view):
    """``managers_only``, and the account ``user_id`` must be one the actor manages (else 404)."""

    @wraps(view)
    @managers_only
    def wrapped(request: ScopedRequest, user_id: int, *args, **kwargs):
        try:
            account = selectors.user_get(actor=request.scope, user_id=user_id)
        except selectors.NotManaged:
            audit_record(
                action=Action.REFUSED,
                subject_type="user",
                subject_id=str(user_id),
                data={"reason": "not_managed"},
            )
            raise Http404 from None
        return view(request, account, *args, **kwargs)

    return wrapped


@managers_only
@require_GET
def account_list_view(request: ScopedRequest) -> HttpResponse:
    """Who holds which role where, in the actor's subtrees: filter, page, print, export."""
    form = RoleFilterForm(request.GET or None, actor=request.scope)
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        form = RoleFilterForm({}, actor=request.scope)
        form.is_valid()
        form.add_error(None, "Điều kiện tìm kiếm quá dài.")
        page = None
    elif form.is_bound and not form.is_valid():
        page = None
    else:
        filters = form.filters() if form.is_bound else selectors.RoleFilters()
        paginator = CappedPaginator(selectors.role_list(actor=request.scope, filters=filters), PER_PAGE)
        page = paginator.get_page(page_number(request))
        selectors.role_list_viewed(filters=filters, page=page.number)
    rows = []
    if page is not None:
        manageable = selectors.manageable_user_ids(actor=request.scope, user_ids=[a.user_id for a in page])
        rows = [(a, selectors.where_label(a), a.user_id in manageable) for a in page]
    query = request.GET.copy()
    query.pop("trang", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode() if page is not None else "",
    }
    return render(request, "accounts/list.html", context, status=200 if page is not None else 400)


@managers_only
@require_GET
def account_export_view(request: ScopedRequest) -> HttpResponseBase:
    file_format = request.GET.get("dinh-dang", "xlsx")
    if file_format not in EXPORT_FORMATS or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        raise Http404
    form = RoleFilterForm(request.GET, actor=request.scope)
    if not form.is_valid():
        return render(request, "accounts/list.html", {"form": form, "page": None, "rows": []}, status=400)
    rows = selectors.role_export_rows(actor=request.scope, filters=form.filters(), file_format=file_format)
    today = clock.today()
    return spreadsheet_download(
        selectors.EXPORT_HEADER,
        rows,
        file_format=file_format,
        filename=f"tai-khoan-phan-quyen-{today:%Y%m%d}.{file_format}",
        title=list_title("Tài khoản và phân quyền", scope_name(request.scope), today),
        sheet_name="Phân quyền",
        widths=[(0, 1, 24), (2, 2, 18), (3, 3, 14), (4, 4, 40), (5, 7, 16)],
    )


@managers_only
@require_http_methods(["GET", "POST"])
def account_create_view(request: ScopedRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None, actor=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = services.user_create(
                actor=request.scope,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                org=data["org"],
                member=data["member"],
                password=data["password"] or None,
                may_export_personal=data["may_export_personal"],
            )
        except services.AccessError as error:
            form.add_error(None, str(error))
        else:
            return render(
                request,
                "accounts/password_shown.html",
                {"account": account, "password": password, "created": True},
            )
    return render(request, "accounts/create.html", {"form": form}, status=400 if form.errors else 200)


def _account_page(request: ScopedRequest, account, *, grant_form=None, status: int = 200) -> HttpResponse:
    roles = selectors.user_roles(actor=request.scope, user=account)
    context = {
        "account": account,
        "grant_form": grant_form or RoleTargetForm(actor=request.scope),
        "roles": [(a, selectors.where_label(a)) for a in roles],
        "must_change": services.must_change_password(account),
        "second_factor": has_second_factor(account),
        "second_factor_required": second_factor_required(account),
    }
    return render(request, "accounts/account.html", context, status=status)


@managed_account
@require_GET
def account_page_view(request: ScopedRequest, account) -> HttpResponse:
    return _account_page(request, account)


@managed_account
@require_http_methods(["GET", "POST"])
def role_grant_view(request: ScopedRequest, account) -> HttpResponse:
    if request.method == "GET":
        return redirect("accounts:account", user_id=account.pk)
    form = RoleTargetForm(request.POST, actor=request.scope)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.role_grant(
                actor=request.scope,
                user=account,
                role=data["role"],
                org=data["org"],
                member=data["member"],
                may_export_personal=data["may_export_personal"],
            )
        except services.AccessError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Đã cấp vai trò «{AccessRole(data['role']).label}» cho {account.username}."
            )
            return redirect("accounts:account", user_id=account.pk)
    return _account_page(request, account, grant_form=form, status=400)


@managed_account
@require_POST
def role_revoke_view(request: ScopedRequest, account) -> HttpResponse:
    key = request.POST.get("assignment", "")
    assignment = (
        account.role_assignments.filter(pk=key, revoked_at__isnull=True).first() if is_uuid(key) else None
    )
    if assignment is None:
        raise Http404
    try:
        services.role_revoke(actor=request.scope, assignment=assignment)
    except services.AccessError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Đã thu hồi vai trò «{assignment.get_role_display()}» của {account.username}."
        )
    return redirect("accounts:account", user_id=account.pk)


def confirmed_action(request, account, *, title: str, explain: str, label: str, submit: str, act):
    form = ConfirmForm(request.POST if request.method == "POST" else None, label=label)
    if request.method == "POST" and form.is_valid():
        try:
            return act()
        except services.AccessError as error:
            form.add_error(None, str(error))
    context = {"account": account, "form": form, "title": title, "explain": explain, "submit": submit}
    return render(request, "accounts/confirm.html", context, status=400 if form.errors else 200)


@managed_account
@require_http_methods(["GET", "POST"])
def account_deactivate_view(request: ScopedRequest, account) -> HttpResponse:
    def act():
        services.user_deactivate(actor=request.scope, user=account)
        messages.success(
            request, f"Đã khóa tài khoản {account.username}; mọi vai trò của tài khoản đã được thu hồi."
        )
        return redirect("accounts:account", user_id=account.pk)

    return confirmed_action(
        request,
        account,
        title=f"Khóa tài khoản {account.username}",
        submit="Khóa tài khoản",
        explain="Tài khoản bị khóa không đăng nhập được nữa; mọi vai trò và khóa API của tài khoản bị thu hồi. "
        "Nhật ký truy cập vẫn giữ tên tài khoản.",
        label="Tôi xác nhận khóa tài khoản này",
        act=act,
    )


@managed_account
@require_http_methods(["GET", "POST"])
def sessions_end_view(request: ScopedRequest, account) -> HttpResponse:
    def act():
        services.sessions_end(actor=request.scope, user=account)
        messages.success(request, f"Đã kết thúc mọi phiên đăng nhập của {account.username}.")
        return redirect("accounts:account", user_id=account.pk)

    return confirmed_action(
        request,
        account,
        title=f"Kết thúc các phiên đăng nhập của {account.username}",
        submit="Kết thúc các phiên đăng nhập",
        explain="Mọi trình duyệt đang đăng nhập bằng tài khoản này bị đăng xuất ở lần thao tác kế tiếp "
        "(ví dụ khi máy tính bị mất hoặc để quên ở nơi công cộng). Người dùng vẫn đăng nhập lại được; "
        "khóa API của tài khoản không bị thu hồi.",
        label="Tôi xác nhận kết thúc các phiên đăng nhập của tài khoản này",
        act=act,
    )


@managed_account
@require_http_methods(["GET", "POST"])
def password_reset_view(request: ScopedRequest, account) -> HttpResponse:
    def act():
        password = services.user_password_reset(actor=request.scope, user=account)
        return render(
            request,
            "accounts/password_shown.html",
            {"account": account, "password": password, "created": False},
        )

    return confirmed_action(
        request,
        account,
        title=f"Đặt lại mật khẩu của {account.username}",
        submit="Đặt lại mật khẩu",
        explain="Phần mềm tạo một mật khẩu mới và chỉ hiện một lần. Người dùng phải đổi mật khẩu ngay khi đăng nhập; "
        "các phiên đăng nhập đang mở của tài khoản kết thúc.",
        label="Tôi xác nhận đặt lại mật khẩu",
        act=act,
    )
