"""Create the groups of DESIGN.md "Who sees what" with their permissions."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    from tracker.roles import GROUP_PERMISSIONS

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, spec in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        perms = []
        for app_label, models in spec["models"].items():
            # The corrections log lived in `incidents` when this ran; core 0001 moved it, permissions included.
            app_label = "incidents" if app_label == "core" else app_label
            for model, actions in models.items():
                if not _exists(apps, app_label, model):
                    continue  # a model added later: its own migration gives the groups its permissions
                for action in actions:
                    perms.append(
                        Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                    )
        for app_label, codename in spec["extra"]:
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


def _exists(apps, app_label, model):
    try:
        apps.get_model(app_label, model)
    except LookupError:
        return False
    return True


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Legal monitors", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0001_initial"),
        ("cases", "0002_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
