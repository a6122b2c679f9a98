"""Users, groups, permissions and second factors are not edited in Django's admin (``/quan-tri/``):
every change of an account, a role or a second factor goes through ``accounts.services`` and
``accounts.twofactor``, which check the actor's scope and write the audit trail.
``django.contrib.auth`` and django-otp's TOTP plugin register their models in their own admin
modules, which the admin's autodiscovery imports before this one (INSTALLED_APPS order). Should
a change reach these tables some other way, ``accounts.watch`` audits it."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (get_user_model(), Group, Permission, TOTPDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
