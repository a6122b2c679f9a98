"""Password change (sign-in and sign-out are Django's views; their audit comes from signals)."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from dangbo.audit.services import Action, audit_record


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action=Action.PASSWORD_CHANGED, subject_type="user", subject_id=str(self.request.user.pk))
        return response
