"""The index of the months in arrears carries the member (INCLUDE on PostgreSQL): the to-do
list's counts of members in arrears read it without the accounts' rows (issue 24)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0005_cell_month_sums"),
        ("members", "0016_member_active_party_age"),
        ("orgs", "0007_orgevent_kind_day"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="duesmonth",
            name="dues_month_unpaid",
        ),
        migrations.AddIndex(
            model_name="duesmonth",
            index=models.Index(
                condition=models.Q(
                    ("due__gt", models.F("paid")),
                    ("owed", True),
                    models.Q(("relief_kind", "deferral"), _negated=True),
                ),
                fields=["month", "org"],
                include=("member",),
                name="dues_month_unpaid",
            ),
        ),
    ]
