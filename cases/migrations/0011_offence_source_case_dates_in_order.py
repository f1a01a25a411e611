"""Offences cite their statute; a case's dates in order in the database (issue 14).

Before the three order constraints are added, any existing case breaking one is listed and the
migration stops: the rows are fixed (in the admin, or with `python manage.py check_dates` listing
them) and the migration run again, rather than kept silently or changed by guesswork.
"""

import django.db.models.deletion
from django.db import migrations, models

ORDERS = (
    ("cognizance_date", "fir_date", "cognizance before the FIR"),
    ("charge_framed_date", "cognizance_date", "charges framed before cognizance"),
    ("judgment_date", "charge_framed_date", "judgment before the charges were framed"),
)


def refuse_cases_out_of_order(apps, schema_editor):
    """Stop with the list of cases whose dates the new constraints would refuse."""
    Case = apps.get_model("cases", "Case")
    bad = []
    for later, earlier, wording in ORDERS:
        rows = Case.objects.filter(**{f"{later}__lt": models.F(earlier)}).values_list("pk", flat=True)
        bad += [f"case #{pk}: {wording}" for pk in rows.order_by("pk")[:50]]
    if bad:
        raise RuntimeError(
            "These cases have dates out of order; fix them in the admin (python manage.py check_dates "
            "lists them all) and migrate again:\n  " + "\n  ".join(bad)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_published_case_index"),
        ("incidents", "0006_incident_organisation_view"),
    ]

    operations = [
        migrations.AddField(
            model_name="offence",
            name="source",
            field=models.ForeignKey(
                blank=True,
                help_text="The statute the code and title are taken from.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offences",
                to="incidents.source",
            ),
        ),
        migrations.RunPython(refuse_cases_out_of_order, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("cognizance_date__isnull", True),
                    ("fir_date__isnull", True),
                    ("cognizance_date__gte", models.F("fir_date")),
                    _connector="OR",
                ),
                name="case_cognizance_not_before_fir",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("charge_framed_date__isnull", True),
                    ("cognizance_date__isnull", True),
                    ("charge_framed_date__gte", models.F("cognizance_date")),
                    _connector="OR",
                ),
                name="case_charge_not_before_cognizance",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("judgment_date__isnull", True),
                    ("charge_framed_date__isnull", True),
                    ("judgment_date__gte", models.F("charge_framed_date")),
                    _connector="OR",
                ),
                name="case_judgment_not_before_charge",
            ),
        ),
    ]
