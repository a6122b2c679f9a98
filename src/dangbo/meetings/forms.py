"""Forms of the meeting pages: scheduling a meeting, posting its agenda and documents, a
visitor, the minutes and their amendments, a vote. Attendance is not a form class: the sheet
posts one ``status-<member id>`` (and ``reason-<member id>``) per person (views.attendance)."""

from __future__ import annotations

from typing import cast

from django import forms

from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.meetings.models import (
    Body,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingMode,
    MeetingVisitor,
    MeetingVote,
    Minutes,
    MinutesAmendment,
)
from dangbo.meetings.services import BODY_KINDS, BODY_ORG_KINDS, DOCUMENT_TYPES, MeetingDetails
from dangbo.members.forms import add_absent_exempted
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_breadcrumbs
from dangbo.rules.meetings import OnlineReason


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _text(model, name: str, rows: int = 0, **kwargs) -> forms.CharField:
    field = model._meta.get_field(name)
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=field.verbose_name[:1].upper() + field.verbose_name[1:],
        max_length=field.max_length,
        required=False,
        widget=widget,
        **kwargs,
    )


class MeetingForm(VietnameseForm):
    """A meeting of an organization: who meets (the bodies that meet there), the kind, the day,
    where, how, the agenda, who presides and records."""

    body = forms.ChoiceField(label="Cơ quan họp", choices=[])
    kind = forms.ChoiceField(label="Loại buổi sinh hoạt", choices=[])
    held_on = VietnameseDateField(label="Ngày sinh hoạt")
    topic = _text(Meeting, "topic", help_text="Chỉ ghi cho buổi sinh hoạt chuyên đề")
    place = _text(Meeting, "place")
    mode = forms.ChoiceField(label="Hình thức", choices=MeetingMode.choices, initial=MeetingMode.IN_PERSON)
    online_link = _text(Meeting, "online_link")
    online_reason = forms.ChoiceField(
        label="Lý do sinh hoạt trực tuyến (Hướng dẫn 03-HD/TW)",
        choices=[("", "—"), *OnlineReason.CHOICES],
        required=False,
    )
    unable_in_person = forms.IntegerField(
        label="Số đảng viên không thể sinh hoạt trực tiếp",
        min_value=0,
        max_value=100_000,
        required=False,
        help_text="Trên một nửa số đảng viên (không kể người được miễn, bị đình chỉ sinh hoạt) mới được sinh hoạt trực tuyến",
    )
    agenda = _text(Meeting, "agenda", rows=5)
    presided_by = forms.ChoiceField(label="Chủ trì", choices=[], required=False)
    recorded_by = forms.ChoiceField(label="Thư ký", choices=[], required=False)

    def __init__(self, *args, org: Org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        bodies = [(b, label) for b, label in Body.choices if org.kind in BODY_ORG_KINDS[b]]
        _choice(self, "body").choices = bodies
        kinds = set().union(*(BODY_KINDS[b] for b, _ in bodies)) if bodies else set()
        _choice(self, "kind").choices = [(k, label) for k, label in MeetingKind.choices if k in kinds]
        people = Member.objects.filter(org=org, status__in=ACTIVE_STATUSES).order_by("sort_key")[:500]
        choices = [("", "—"), *((str(m.pk), m.full_name) for m in people)]
        _choice(self, "presided_by").choices = choices
        _choice(self, "recorded_by").choices = choices
        self.people = {str(m.pk): m for m in people}

    def details(self) -> MeetingDetails:
        data = self.cleaned_data
        return MeetingDetails(
            body=data["body"],
            kind=data["kind"],
            held_on=data["held_on"],
            place=data["place"],
            topic=data["topic"],
            mode=data["mode"],
            online_link=data["online_link"],
            online_reason=data["online_reason"],
            unable_in_person=data["unable_in_person"],
            agenda=data["agenda"],
            presided_by=self.people.get(data["presided_by"]),
            recorded_by=self.people.get(data["recorded_by"]),
        )

    @staticmethod
    def initial_for(meeting: Meeting) -> dict:
        return {
            "body": meeting.body,
            "kind": meeting.kind,
            "held_on": meeting.held_on,
            "topic": meeting.topic,
            "place": meeting.place,
            "mode": meeting.mode,
            "online_link": meeting.online_link,
            "online_reason": meeting.online_reason,
            "unable_in_person": meeting.unable_in_person,
            "agenda": meeting.agenda,
            "presided_by": str(meeting.presided_by_id or ""),
            "recorded_by": str(meeting.recorded_by_id or ""),
        }


class AgendaForm(VietnameseForm):
    agenda = _text(Meeting, "agenda", rows=8)


class DocumentForm(VietnameseForm):
    title = _text(MeetingDocument, "title", help_text="Để trống thì lấy tên tệp")
    file = forms.FileField(
        label="Tệp tài liệu",
        help_text="Tệp " + ", ".join(sorted(e.lstrip(".").upper() for e in DOCUMENT_TYPES)) + ".",
        error_messages={"required": "Chọn tệp tài liệu.", "empty": "Tệp rỗng."},
    )


class VisitorForm(VietnameseForm):
    name = _text(MeetingVisitor, "name")
    position = _text(MeetingVisitor, "position", help_text="Ví dụ: Phó Bí thư Thường trực Đảng ủy xã")
    org = forms.ChoiceField(label="Thuộc tổ chức cấp trên", choices=[], required=False)
    org_text = _text(MeetingVisitor, "org_text", help_text="Đoàn công tác, cơ quan ngoài cây tổ chức")

    def __init__(self, *args, meeting: Meeting, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # the organizations above the meeting's, within the actor's scope (none above it is named)
        above = [o for o in org_breadcrumbs(actor=actor, org=meeting.org) if o.pk != meeting.org_id]
        self.above = {str(o.pk): o for o in above}
        _choice(self, "org").choices = [("", "—"), *((k, o.name) for k, o in self.above.items())]


class MinutesForm(VietnameseForm):
    content = _text(Minutes, "content", rows=10)
    opinions = _text(Minutes, "opinions", rows=6)
    resolution = _text(Minutes, "resolution", rows=6, help_text="Mỗi điểm nghị quyết một dòng")


class AmendmentForm(VietnameseForm):
    text = _text(MinutesAmendment, "text", rows=5)
    reason = _text(MinutesAmendment, "reason")


class VoteForm(VietnameseForm):
    subject = _text(MeetingVote, "subject")
    approvals = forms.IntegerField(
        label="Số đảng viên tán thành",
        min_value=0,
        max_value=100_000,
        help_text="Tính trên tổng số đảng viên được tính của chi bộ, không tính trên số có mặt",
    )

    def __init__(self, *args, org: Org, **kwargs):
        super().__init__(*args, **kwargs)
        add_absent_exempted(self, org)
