"""Where uploaded court documents are kept: the `documents` entry of Django's STORAGES.

By default the file system under MEDIA_ROOT (a folder of the project outside the static files,
never served directly: whitenoise serves STATIC_ROOT only, and no URL maps MEDIA_ROOT). With
``DOCUMENTS_STORAGE=s3`` an S3-compatible bucket through django-storages, configured by the
usual ``AWS_*`` variables. Either way every download goes through the view that applies the
visibility rule (cases.views.document_file); the bucket stays private.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

FILE_SYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


def documents_storage(environ: Mapping[str, str]) -> dict:
    """The STORAGES entry for court documents, from environment variables (a mapping, for the tests)."""
    kind = environ.get("DOCUMENTS_STORAGE", "filesystem").strip().lower()
    if kind == "filesystem":
        # Readable by the server's user only; no base_url: files are never linked directly.
        return {
            "BACKEND": FILE_SYSTEM,
            "OPTIONS": {"base_url": None, "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
        }
    if kind != "s3":
        raise ImproperlyConfigured(f"DOCUMENTS_STORAGE must be 'filesystem' or 's3', not {kind!r}.")
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured("DOCUMENTS_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options = {
        "bucket_name": bucket,
        "location": environ.get("AWS_LOCATION", ""),
        "default_acl": "private",  # never readable straight from the bucket
        "querystring_auth": True,
        "file_overwrite": False,
    }
    optional = {
        "access_key": "AWS_ACCESS_KEY_ID",
        "secret_key": "AWS_SECRET_ACCESS_KEY",
        "endpoint_url": "AWS_S3_ENDPOINT_URL",  # e.g. MinIO, Ceph, Backblaze B2
        "region_name": "AWS_S3_REGION_NAME",
    }
    options |= {option: environ[name] for option, name in optional.items() if environ.get(name)}
    return {"BACKEND": S3, "OPTIONS": options}
