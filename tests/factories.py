"""factory_boy factories for small hand-built data. Published unless a test says otherwise."""

from __future__ import annotations

import datetime

import factory
from django.core.files.base import ContentFile

from cases import models as cm
from cases.uploads import check_upload
from incidents import models as im
from tests.document_files import pdf_bytes


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.Province
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Province {n}")
    slug = factory.Sequence(lambda n: f"province-{n}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.City
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    province = factory.SubFactory(ProvinceFactory)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.Community
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.Source

    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Daily Example"
    url = factory.Sequence(lambda n: f"https://example.org/report-{n}")


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.Incident
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Attack {n}")
    date = datetime.date(2012, 3, 10)
    province = factory.SubFactory(ProvinceFactory)
    city = None
    attack_type = im.AttackType.TARGET_KILLING
    killed = 1
    injured = 0
    status = im.Status.PUBLISHED

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.set(extracted)


class IncidentSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.IncidentSource

    incident = factory.SubFactory(IncidentFactory)
    source = factory.SubFactory(SourceFactory)


class AttributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.Attribution

    incident = factory.SubFactory(IncidentFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = im.AttributionKind.CLAIMED


class VictimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = im.Victim

    incident = factory.SubFactory(IncidentFactory)
    name = factory.Sequence(lambda n: f"Victim Name {n}")
    outcome = im.VictimOutcome.KILLED


class CourtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Court
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Anti-Terrorism Court {n}, Karachi")
    kind = cm.CourtKind.ATC


class OffenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Offence
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PPC s.{300 + n}")
    title = "Offence"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Case
        skip_postgeneration_save = True

    court = factory.SubFactory(CourtFactory)
    case_number = factory.Sequence(lambda n: f"Special Case {n}/2012")
    fir_number = factory.Sequence(lambda n: f"{n}/2012")
    status = im.Status.PUBLISHED

    @factory.post_generation
    def incidents(self, create, extracted, **kwargs):
        if create and extracted:
            self.incidents.set(extracted)


class AccusedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Accused

    name = factory.Sequence(lambda n: f"Accused Person {n}")


class ChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Charge

    case = factory.SubFactory(CaseFactory)
    accused = factory.SubFactory(AccusedFactory)


class HearingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Hearing

    case = factory.SubFactory(CaseFactory)
    date = datetime.date(2012, 6, 5)


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Appeal

    charge = factory.SubFactory(ChargeFactory)
    court = factory.SubFactory(CourtFactory, name="Sindh High Court", kind=cm.CourtKind.HIGH_COURT)
    appellant = cm.Appellant.CONVICT
    filed_on = datetime.date(2013, 2, 1)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A court document with a real file (a one-page PDF unless `content` says otherwise), checked and
    stored as an upload through the admin would be; public unless a test says otherwise."""

    class Meta:
        model = cm.Document

    case = factory.SubFactory(CaseFactory)
    kind = cm.DocumentKind.JUDGMENT
    date = datetime.date(2013, 1, 10)
    is_public = True
    content = factory.LazyFunction(lambda: pdf_bytes(["Judgment of the Anti-Terrorism Court"]))

    @classmethod
    def _create(cls, model_class, *args, content: bytes, **kwargs):
        upload = ContentFile(content, name="upload")
        checked = check_upload(upload)
        kwargs |= {field: getattr(checked, field) for field in ("media_type", "size", "pages", "text", "sha256")}
        return super()._create(model_class, *args, file=upload, **kwargs)
