"""Read-only API representations of courts, cases and hearings: public fields only.

As in `incidents/serializers.py`, every serializer lists a subset of its model's `PUBLIC_FIELDS`
(a test checks it): never `confidential_notes`, `review_note`, `recorded_by`, created/updated by,
and an accused only by `public_name` (a juvenile's name is withheld).
"""

from __future__ import annotations

from rest_framework import serializers

from incidents.serializers import AbsoluteUrlField, CitySerializer, OrganisationRefSerializer

from .models import Accused, Appeal, Case, Charge, Court, Document, Hearing, Offence


class CourtRefSerializer(serializers.ModelSerializer):
    """A court named inside another record: `{"id", "name"}`."""

    class Meta:
        model = Court
        fields = ("id", "name")


class CourtSerializer(serializers.ModelSerializer):
    city = CitySerializer(read_only=True, allow_null=True)
    url = AbsoluteUrlField()

    class Meta:
        model = Court
        fields = ("id", "name", "kind", "city", "url")


class OffenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offence
        fields = ("id", "code", "title")


class AccusedSerializer(serializers.ModelSerializer):
    """An accused by public name: "Juvenile (name withheld)" for a juvenile."""

    public_name = serializers.CharField(read_only=True)
    affiliation = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Accused
        fields = ("id", "public_name", "affiliation", "is_juvenile")


class AppealSerializer(serializers.ModelSerializer):
    court = CourtRefSerializer(read_only=True)

    class Meta:
        model = Appeal
        fields = ("id", "court", "appellant", "filed_on", "decided_on", "outcome")


class ChargeSerializer(serializers.ModelSerializer):
    """One accused in the case: custody, verdict, sentence, the verdict's source document and appeals."""

    accused = AccusedSerializer(read_only=True)
    appeals = AppealSerializer(many=True, read_only=True)
    verdict_source = serializers.SerializerMethodField(
        help_text="Id of the court document (in the case's `documents`) the verdict is taken from, when public."
    )

    class Meta:
        model = Charge
        fields = (
            "id",
            "accused",
            "custody",
            "verdict",
            "verdict_date",
            "sentence",
            "sentence_kind",
            "verdict_source",
            "appeals",
        )

    def get_verdict_source(self, charge) -> int | None:
        # Only the document the reader may see, prefetched by the view into `visible_verdict_source`
        # (cases/api.py); without that prefetch, nothing: a confidential document's id is never given.
        document = getattr(charge, "visible_verdict_source", None)
        return document.pk if document is not None else None


class DocumentSerializer(serializers.ModelSerializer):
    """A court document of the case: what it is, its size, pages and checksum, and where to download it."""

    url = AbsoluteUrlField(help_text="The file (a PDF opens in the browser, an image downloads).")

    class Meta:
        model = Document
        fields = ("id", "kind", "date", "title", "hearing", "media_type", "size", "pages", "sha256", "url")


class CaseSerializer(serializers.ModelSerializer):
    """A case in a list: its public fields, court and offences nested, incidents by id."""

    title = serializers.CharField(read_only=True, help_text="Case number (or FIR number) and court.")
    incidents = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the incidents the case is about (see /api/incidents/<id>/)."
    )
    court = CourtRefSerializer(read_only=True)
    offences = OffenceSerializer(many=True, read_only=True)
    transferred_to = CourtRefSerializer(read_only=True, allow_null=True)
    working_days_since_cognizance = serializers.SerializerMethodField(
        help_text="Working days on the ATA s.19(7) clock: after cognizance, to the judgment or to today "
        "(null before cognizance). Working days: the WORKING_WEEKDAYS setting minus the holiday table."
    )
    over_limit_by = serializers.SerializerMethodField(
        help_text="Working days beyond the 7 of ATA s.19(7) (0 within them or before cognizance)."
    )
    url = AbsoluteUrlField()

    class Meta:
        model = Case
        # The whitelist, plus title, the s.19(7) clock (derived) and link.
        fields = ("id", "title", *Case.PUBLIC_FIELDS[1:], "working_days_since_cognizance", "over_limit_by", "url")

    def get_working_days_since_cognizance(self, case: Case) -> int | None:
        return case.working_days_since_cognizance(self.context["today"], calendar=self.context["calendar"])

    def get_over_limit_by(self, case: Case) -> int:
        return case.days_over_statutory_limit(self.context["today"], calendar=self.context["calendar"])


class CaseHearingSerializer(serializers.ModelSerializer):
    """A hearing inside its case: `court` is where it sat (the case's court unless it says otherwise)."""

    court = CourtRefSerializer(source="effective_court", read_only=True)

    class Meta:
        model = Hearing
        fields = (
            "id",
            "date",
            "court",
            "judge",
            "purpose",
            "outcome",
            "adjournment_reason",
            "next_date",
            "monitor_present",
            "notes",
        )


class CaseDetailSerializer(CaseSerializer):
    """One case with its accused and verdicts (and appeals) and its hearing timeline."""

    charges = ChargeSerializer(many=True, read_only=True)
    hearings = CaseHearingSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = (*CaseSerializer.Meta.fields, "charges", "hearings", "documents")


class HearingSerializer(CaseHearingSerializer):
    """A hearing in the hearings list, with the case it belongs to."""

    case = serializers.PrimaryKeyRelatedField(read_only=True, help_text="Id of the case (see /api/cases/<id>/).")
    case_title = serializers.CharField(source="case.title", read_only=True)

    class Meta(CaseHearingSerializer.Meta):
        fields = ("id", "case", "case_title", *CaseHearingSerializer.Meta.fields[1:])
