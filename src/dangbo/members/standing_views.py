"""Pages for standing changes and exits: one page per action, at
/dang-vien/<id>/tinh-trang/<action>/, offered on the profile only where it applies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from dangbo.audit.services import Action as AuditAction
from dangbo.audit.services import audit_record
from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.pages import form_page, in_scope_or_404
from dangbo.members import hooks
from dangbo.members import standing_forms as forms
from dangbo.members.forms import add_absent_exempted
from dangbo.members.models import ACTIVE_STATUSES, LEFT_STATUSES, Member, MemberEvent, Standing
from dangbo.members.selectors.profile import member_for_edit
from dangbo.members.services import standing as services
from dangbo.members.services.records import member_record_death
from dangbo.orgs.selectors import org_for_edit
from dangbo.rules import exits as exit_rules
from dangbo.rules.base import RuleViolation

Kind = MemberEvent.Kind


@dataclass(frozen=True)
class Action:
    title: str
    form: type
    applies: Callable[[Member], bool]
    run: Callable  # (member, form, actor) -> None
    done: str
    subtitle: str = ""


def _active(member: Member) -> bool:
    return member.status in ACTIVE_STATUSES


def _normal(member: Member) -> bool:
    return _active(member) and member.standing == Standing.NORMAL


def _note(form) -> str:
    return form.cleaned_data.get("note") or ""


ACTIONS: dict[str, Action] = {
    "mien-sinh-hoat": Action(
        "Miễn công tác và sinh hoạt đảng",
        forms.ExemptionForm,
        _normal,
        lambda m, f, a: services.member_standing_start(
            member=m,
            kind=Kind.EXEMPTED,
            on=f.cleaned_data["effective_on"],
            ground=f.cleaned_data["ground"],
            decision=f.decision(),
            note=_note(f),
            actor=a,
        ),
        "Đã ghi miễn công tác và sinh hoạt đảng.",
        "Tuổi cao, sức yếu, tự nguyện: chi bộ xem xét, quyết định và báo cáo cấp trên; các trường hợp khác chi bộ đề nghị, "
        "đảng ủy cơ sở quyết định. Đảng viên vẫn được tính trong đảng số của chi bộ.",
    ),
    "dinh-chi": Action(
        "Đình chỉ sinh hoạt đảng",
        forms.DecidedForm,
        _normal,
        lambda m, f, a: services.member_standing_start(
            member=m,
            kind=Kind.SUSPENDED,
            on=f.cleaned_data["effective_on"],
            decision=f.decision(),
            note=_note(f),
            actor=a,
        ),
        "Đã ghi đình chỉ sinh hoạt đảng.",
        "Đảng viên bị đình chỉ sinh hoạt không được tính khi chi bộ tính số tán thành trong biểu quyết.",
    ),
    "di-lam-an-xa": Action(
        "Đi làm ăn xa",
        forms.DatedDecisionForm,
        _normal,
        lambda m, f, a: services.member_standing_start(
            member=m,
            kind=Kind.WORKING_AWAY,
            on=f.cleaned_data["effective_on"],
            decision=f.decision(),
            note=_note(f),
            actor=a,
        ),
        "Đã ghi đi làm ăn xa.",
        "Đi từ 3 tháng trở lên thì làm thủ tục chuyển sinh hoạt đảng tạm thời; dưới 3 tháng thì xem xét miễn sinh hoạt.",
    ),
    "tro-lai": Action(
        "Trở lại sinh hoạt bình thường",
        forms.DatedDecisionForm,
        lambda m: _active(m) and m.standing in (Standing.EXEMPTED, Standing.SUSPENDED, Standing.WORKING_AWAY),
        lambda m, f, a: services.member_standing_end(
            member=m,
            on=f.cleaned_data["effective_on"],
            decision=f.decision(),
            note=_note(f),
            actor=a,
        ),
        "Đã ghi trở lại sinh hoạt bình thường.",
    ),
    "chuyen-tam-thoi": Action(
        "Chuyển sinh hoạt đảng tạm thời",
        forms.TempTransferForm,
        _normal,
        lambda m, f, a: services.member_temp_transfer(
            member=m,
            purpose=f.cleaned_data["purpose"],
            starts_on=f.cleaned_data["starts_on"],
            until=f.cleaned_data["until"],
            host=f.cleaned_data.get("host"),
            host_name=f.cleaned_data.get("host_name") or "",
            decision=f.decision(),
            actor=a,
        ),
        "Đã ghi chuyển sinh hoạt đảng tạm thời.",
        "Công tác, cư trú từ 3 tháng đến dưới 12 tháng, hoặc học tập tập trung từ 3 tháng đến 24 tháng. Đảng viên vẫn "
        "được tính trong đảng số của chi bộ nơi sinh hoạt chính thức, không tính ở nơi sinh hoạt tạm thời.",
    ),
    "tro-ve": Action(
        "Trở về sau sinh hoạt tạm thời",
        forms.ReturnForm,
        lambda m: _active(m) and m.standing == Standing.TEMP_AWAY,
        lambda m, f, a: services.member_temp_return(member=m, on=f.cleaned_data["effective_on"], actor=a),
        "Đã ghi trở về sinh hoạt tại chi bộ.",
    ),
    "chuyen-ra-ngoai": Action(
        "Chuyển sinh hoạt đảng ra ngoài hệ thống",
        forms.MoveAwayForm,
        lambda m: _active(m) and m.standing != Standing.TEMP_AWAY,
        lambda m, f, a: services.member_move_away(
            member=m,
            on=f.cleaned_data["effective_on"],
            to_name=f.cleaned_data["to_name"],
            decision=f.decision(),
            actor=a,
        ),
        "Đã ghi chuyển sinh hoạt đảng ra ngoài; đảng viên ra khỏi đảng số từ ngày chuyển đi.",
        "Dùng khi nơi đến không thuộc hệ thống này; trong hệ thống, dùng «Chuyển sinh hoạt đảng» để nơi đến xác nhận.",
    ),
    "xoa-ten": Action(
        "Xóa tên trong danh sách đảng viên",
        forms.StrikeOffForm,
        _active,
        lambda m, f, a: services.member_strike_off(
            member=m,
            on=f.cleaned_data["effective_on"],
            ground=f.cleaned_data["ground"],
            decision=f.decision(),
            requests_made=f.cleaned_data.get("requests_made"),
            note=_note(f),
            vote_on=f.cleaned_data.get("vote_on"),
            approvals=f.cleaned_data.get("approvals"),
            absent_exempted=tuple(f.cleaned_data.get("absent_exempted") or ()),
            actor=a,
        ),
        "Đã ghi xóa tên.",
        "Chi bộ đề nghị, cấp ủy có thẩm quyền quyết định. Đảng viên dự bị không đủ tư cách được chi bộ đề nghị xóa tên.",
    ),
    "xin-ra": Action(
        "Ra khỏi Đảng (xin ra)",
        forms.DecidedForm,
        _active,
        lambda m, f, a: services.member_resign(
            member=m,
            on=f.cleaned_data["effective_on"],
            decision=f.decision(),
            note=_note(f),
            actor=a,
        ),
        "Đã ghi ra khỏi Đảng.",
        "Chỉ giải quyết khi đảng viên không có vi phạm; nếu có vi phạm thì xem xét kỷ luật trước.",
    ),
    "tu-tran": Action(
        "Từ trần",
        forms.DeathForm,
        _active,
        lambda m, f, a: member_record_death(
            member=m, died_on=f.cleaned_data["effective_on"], note=_note(f), actor=a
        ),
        "Đã ghi từ trần.",
    ),
    "ket-nap-lai": Action(
        "Kết nạp lại",
        forms.ReadmitForm,
        lambda m: m.status in LEFT_STATUSES,
        lambda m, f, a: services.member_readmit(
            member=m,
            cell=f.cleaned_data["cell"],
            decision=f.decision(),
            ceremony_on=f.cleaned_data["ceremony_on"],
            vote_on=f.cleaned_data["vote_on"],
            provincial_consent=f.cleaned_data["provincial_consent"],
            hardship=f.cleaned_data.get("hardship") or False,
            expunged_on=f.cleaned_data.get("expunged_on"),
            actor=a,
        ),
        "Đã ghi kết nạp lại; đảng viên dự bị 12 tháng kể từ lễ kết nạp.",
        "Sau ít nhất 36 tháng kể từ khi ra khỏi Đảng, chỉ một lần, có văn bản đồng ý của Ban Thường vụ tỉnh ủy; không kết "
        "nạp lại người đã bỏ sinh hoạt, tự ý xin ra (trừ hoàn cảnh đặc biệt khó khăn), gây mất đoàn kết nghiêm trọng, "
        "bị kết án về tham nhũng hoặc tội nghiêm trọng. Tuổi đảng tính từ ngày vào Đảng lần đầu, trừ thời gian ra khỏi Đảng.",
    ),
    "phuc-hoi": Action(
        "Phục hồi đảng tịch (quyết định trước đó sai)",
        forms.DecidedForm,
        lambda m: m.status in LEFT_STATUSES,
        lambda m, f, a: services.member_restore(
            member=m,
            on=f.cleaned_data["effective_on"],
            decision=f.decision(),
            note=_note(f),
            actor=a,
        ),
        "Đã phục hồi; tuổi đảng liên tục.",
        "Khi cấp có thẩm quyền hủy quyết định xóa tên, khai trừ hoặc cho ra khỏi Đảng vì sai: đảng viên trở lại như trước, tuổi đảng liên tục.",
    ),
}


def actions_for(member: Member) -> list[tuple[str, str]]:
    """(slug, title) of the actions that apply to ``member`` now, for the profile's menu."""
    return [(slug, action.title) for slug, action in ACTIONS.items() if action.applies(member)]


@login_required
def member_standing_view(request: ScopedRequest, member_id, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    member = in_scope_or_404(member_for_edit, actor=request.scope, member_id=member_id)
    profile = reverse("members:member_profile", args=[member.pk])
    if not spec.applies(member):
        messages.error(request, f"Không áp dụng «{spec.title.lower()}» cho đảng viên ở tình trạng hiện tại.")
        return redirect(profile)
    extra: dict = {"member": member} if spec.form is forms.StrikeOffForm else {}
    if spec.form in (forms.TempTransferForm, forms.ReadmitForm):
        extra["actor"] = request.scope  # their destination must be one the actor may write
    form = spec.form(request.POST or None, **extra)
    if "approvals" in form.fields:
        add_absent_exempted(form, member.org)
    if request.method == "POST" and form.is_valid():
        try:
            spec.run(member, form, request.user)
        except RuleViolation as error:
            form.add_violations(
                error,
                {
                    "ledger": None,
                    "org": "cell_code" if "cell_code" in form.fields else None,
                    "host": "host_code",
                },
            )
        else:
            messages.success(request, spec.done)
            return redirect(profile)
    if spec.form is forms.StrikeOffForm:
        return _strike_off_page(request, member, spec, form, cancel_url=profile)
    return form_page(
        request,
        form,
        title=f"{spec.title}: {member.full_name}",
        subtitle=spec.subtitle,
        cancel_url=profile,
        submit="Ghi nhận",
    )


def _href(link: hooks.EvidenceLink) -> str:
    """The page of a record behind the evidence, or "" while no such page is routed."""
    if not link.url_name:
        return ""
    try:
        return reverse(link.url_name, kwargs=dict(link.url_kwargs))
    except NoReverseMatch:
        return ""


def _strike_off_page(request: ScopedRequest, member: Member, spec: Action, form, *, cancel_url: str):
    """The striking-off form with, for the ground of missed meetings, what the records hold:
    the months of unexcused absence and the meetings (``members.hooks``; reading them is a
    read of the member's history, audited)."""
    ground = exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES
    evidence = [e for e in hooks.strike_off_evidence(member, on=clock.today()) if e.ground == ground]
    if evidence:
        audit_record(
            action=AuditAction.MEMBER_HISTORY_VIEWED,
            subject_type="member",
            subject_id=str(member.pk),
            data={"history": "strike_off_evidence", "items": len(evidence)},
        )
    context = {
        "form": form,
        "title": f"{spec.title}: {member.full_name}",
        "subtitle": spec.subtitle,
        "cancel_url": cancel_url,
        "submit": "Ghi nhận",
        "ground_label": exit_rules.STRIKE_OFF_GROUNDS[ground],
        "evidence": [(e, [(link.label, _href(link)) for link in e.links]) for e in evidence],
    }
    return render(
        request, "members/strike_off.html", context, status=400 if form.is_bound and form.errors else 200
    )


@login_required
def member_receive_view(request: ScopedRequest, org_id) -> HttpResponse:
    """Receive a member transferred from a Party organization outside this installation."""
    cell = in_scope_or_404(org_for_edit, actor=request.scope, org_id=org_id)
    if cell.kind not in CELL_KINDS:
        raise Http404
    form = forms.ReceiveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_receive(
                identity=form.identity(),
                cell=cell,
                arrived_on=data["arrived_on"],
                status=data["status"],
                admitted_on=data["admitted_on"],
                from_name=data["from_name"],
                decision=form.decision(),
                ceremony_on=data.get("ceremony_on"),
                full_on=data.get("full_on"),
                party_age_from=data.get("party_age_from"),
                badge_years=data.get("badge_years"),
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error, {"org": "arrived_on"})
        else:
            messages.success(request, f"Đã tiếp nhận {member.full_name} vào {cell.name}.")
            return redirect("members:member_profile", member_id=member.pk)
    return form_page(
        request,
        form,
        title=f"Tiếp nhận đảng viên từ nơi khác — {cell.name}",
        cancel_url=reverse("members:org_page", args=[cell.pk]),
        subtitle="Đảng viên chuyển đến từ tổ chức đảng ngoài hệ thống này: ghi theo giấy giới thiệu sinh hoạt đảng và hồ sơ đảng viên. "
        "Trong hệ thống, nơi đi giới thiệu chuyển và nơi đến xác nhận ở trang «Chuyển sinh hoạt đảng».",
        submit="Tiếp nhận",
    )
