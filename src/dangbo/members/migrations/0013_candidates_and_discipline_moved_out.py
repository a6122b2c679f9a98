# Candidate, CandidateStep and DisciplineCase moved to their own apps, ``candidates`` and
# ``discipline`` (issue 17). Their tables stay as they are, with their rows: this migration
# removes the models from members' state only, after candidates/0001 and discipline/0001 have
# added them to theirs (SeparateDatabaseAndState, no database operation).
#
# It follows 0012_member_event_append_only (members keeps one leaf).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0012_member_event_append_only"),
        ("candidates", "0001_initial"),
        ("discipline", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                # the step first: it points to the candidate
                migrations.DeleteModel(name="CandidateStep"),
                migrations.DeleteModel(name="Candidate"),
                migrations.DeleteModel(name="DisciplineCase"),
            ],
        ),
    ]
