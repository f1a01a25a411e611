"""Roles (DESIGN.md "Who sees what"): the groups, their permissions, and tests on a user.

The groups are created by a migration (cases/migrations/0003_roles.py, from the permissions as they
were then; core 0001 carried the corrections log's over to `core`) and match `GROUP_PERMISSIONS`.
Object-level rules the permission codes cannot express (a monitor may change only draft
incidents and can never publish) live in `can_edit_incident` and `can_publish`, used by the admin.
"""

from __future__ import annotations

MONITORS = "Legal monitors"
EDITORS = "Editors"

_VIEW = ["view"]
_ADD_CHANGE = ["add", "change", "view"]
_ALL = ["add", "change", "delete", "view"]

# app_label -> model -> actions; plus extra permission codenames.
GROUP_PERMISSIONS: dict[str, dict] = {
    MONITORS: {
        "models": {
            "cases": {
                "case": _ADD_CHANGE,
                "charge": _ADD_CHANGE,
                "hearing": _ADD_CHANGE,
                "appeal": _ADD_CHANGE,
                "accused": _ADD_CHANGE,
                "document": _ADD_CHANGE,
                "court": _VIEW,
                "offence": _VIEW,
                "holiday": _VIEW,
            },
            "incidents": {
                # Drafts only: enforced per object in the admin (can_edit_incident).
                "incident": _ADD_CHANGE,
                "incidentsource": _ADD_CHANGE,
                "source": _ADD_CHANGE,
                "attribution": _ADD_CHANGE,
                "victim": _ADD_CHANGE,
                "province": _VIEW,
                "city": _VIEW,
                "community": _VIEW,
                "organisation": _VIEW,
            },
            "core": {"correction": _VIEW},
        },
        "extra": [],
    },
    EDITORS: {
        "models": {
            "cases": dict.fromkeys(
                ["case", "charge", "hearing", "appeal", "accused", "document", "court", "offence", "holiday"], _ALL
            ),
            "incidents": {
                **dict.fromkeys(
                    [
                        "incident",
                        "incidentsource",
                        "source",
                        "attribution",
                        "victim",
                        "province",
                        "city",
                        "community",
                        "organisation",
                    ],
                    _ALL,
                ),
                "importrun": _VIEW,
            },
            "core": {"correction": _ALL},
        },
        "extra": [
            ("incidents", "publish_incident"),
            ("incidents", "import_incidents"),
            ("cases", "publish_case"),
        ],
    },
}


def in_group(user, name: str) -> bool:
    return user.is_authenticated and user.groups.filter(name=name).exists()


def is_editor(user) -> bool:
    """Editors and superusers."""
    return user.is_authenticated and user.is_active and (user.is_superuser or in_group(user, EDITORS))


def is_monitor(user) -> bool:
    return user.is_authenticated and user.is_active and not user.is_superuser and in_group(user, MONITORS)


def can_publish(user, app_label: str = "incidents") -> bool:
    """Publish or retract: editors and superusers only."""
    code = "incidents.publish_incident" if app_label == "incidents" else "cases.publish_case"
    return user.is_active and user.has_perm(code)


def can_edit_incident(user, incident) -> bool:
    """Monitors may change draft incidents only; editors any."""
    if not user.has_perm("incidents.change_incident"):
        return False
    if incident is None or can_publish(user, "incidents"):
        return True
    return incident.status == "draft"


def can_change_source(user, source) -> bool:
    """Monitors may change a source only while no published or retracted incident cites it.

    A source is cited by an incident in two ways: a source link (IncidentSource) or an
    attribution's `source`. Both show the source's title and URL on the public incident page,
    so either one of a non-draft incident makes the source an editor's to change (issue 14).
    """
    if not user.has_perm("incidents.change_source"):
        return False
    if source is None or can_publish(user, "incidents"):
        return True
    from incidents.models import Attribution, IncidentSource  # tracker.roles is imported by the apps

    cited = IncidentSource.objects.filter(source=source).exclude(incident__status="draft").exists()
    return not (cited or Attribution.objects.filter(source=source).exclude(incident__status="draft").exists())
