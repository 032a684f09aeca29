"""The shape of the charity API's output (it is read-only); the rules are in charity.services."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import selectors, services
from .models import (
    Correction,
    Disclosure,
    Organisation,
    OrganisationStatus,
    Project,
    ProjectStatus,
)


def _status_field(choices) -> serializers.CharField:
    # Described inline: other apps' models have a "status" too, and one shared enum
    # component name would collide with theirs.
    return extend_schema_field({"type": "string", "enum": list(choices.values)})(
        serializers.CharField(read_only=True)
    )


class QualificationSerializer(serializers.Serializer):
    """The public-fundraising qualification (公开募捐资格), or nulls when there is none."""

    certificate = serializers.CharField(
        source="fundraising_certificate", allow_blank=True, help_text="Certificate number."
    )
    valid_from = serializers.DateField(source="fundraising_valid_from", allow_null=True)
    valid_until = serializers.DateField(source="fundraising_valid_until", allow_null=True)
    valid_today = serializers.SerializerMethodField()

    def get_valid_today(self, organisation: Organisation) -> bool:
        return organisation.qualified_on(timezone.localdate())


class OrganisationSerializer(serializers.ModelSerializer):
    status = _status_field(OrganisationStatus)
    qualification = QualificationSerializer(source="*")
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Organisation
        fields = [
            "credit_code",
            "name",
            "status",
            "status_reason",
            "registering_authority",
            "district",
            "verified_at",
            "qualification",
            "url",
        ]


class PunctualitySerializer(serializers.Serializer):
    """Of the disclosures due so far: met on time, met late, and still overdue."""

    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text="Percent, or null.")


class OrganisationDetailSerializer(OrganisationSerializer):
    pact_version_signed = serializers.SerializerMethodField(
        help_text="The latest pact version the organisation signed, or null."
    )
    pact_version_current = serializers.SerializerMethodField(
        help_text="The pact version in force, or null before the first is published."
    )
    disclosure_punctuality = serializers.SerializerMethodField()
    new_projects_refused_because = serializers.SerializerMethodField(
        help_text="Why the organisation may not open new projects now; empty when it may."
    )

    class Meta(OrganisationSerializer.Meta):
        fields = [
            *OrganisationSerializer.Meta.fields,
            "summary",
            "pact_version_signed",
            "pact_version_current",
            "disclosure_punctuality",
            "new_projects_refused_because",
        ]

    def get_pact_version_signed(self, organisation: Organisation) -> int | None:
        signature = selectors.pact_signature_latest(organisation)
        return signature.version.number if signature else None

    def get_pact_version_current(self, organisation: Organisation) -> int | None:
        current = selectors.pact_current()
        return current.number if current else None

    @extend_schema_field(PunctualitySerializer)
    def get_disclosure_punctuality(self, organisation: Organisation) -> dict:
        counted = selectors.organisation_calendar(organisation).punctuality
        return PunctualitySerializer(
            {
                "due": counted.due,
                "on_time": counted.on_time,
                "late": counted.late,
                "overdue": counted.overdue,
                "on_time_rate": counted.on_time_rate,
            }
        ).data

    def get_new_projects_refused_because(self, organisation: Organisation) -> list[str]:
        return services.project_open_refusals(organisation)


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["credit_code", "name"]


class ProjectSerializer(serializers.ModelSerializer):
    status = _status_field(ProjectStatus)
    organisation = OrganisationRefSerializer()
    partner = OrganisationRefSerializer(allow_null=True)
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "summary",
            "status",
            "organisation",
            "partner",
            "district",
            "cause",
            "beneficiaries",
            "target_fen",
            "starts_on",
            "ends_on",
            "is_public_fundraising",
            "filing_number",
            "filed_on",
            "donation_platform",
            "surplus_rule",
            "surplus_fund",
            "published_at",
            "url",
        ]
        extra_kwargs = {"target_fen": {"help_text": "The target in fen (1 yuan = 100 fen)."}}


class DisclosureSerializer(serializers.ModelSerializer):
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "kind",
            "year",
            "title",
            "summary",
            "document_date",
            "document_type",
            "document_sha256",
            "published_at",
            "document_url",
        ]

    def get_document_url(self, disclosure: Disclosure) -> str:
        return reverse("charity:disclosure_document", args=[disclosure.pk])


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ["kind", "field", "old_value", "new_value", "note", "made_at"]


class DisclosureDueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["periodic", "final", "leftover"])
    due = serializers.DateField()
    overdue = serializers.BooleanField()


class ProjectDetailSerializer(ProjectSerializer):
    next_disclosure_due = serializers.SerializerMethodField(
        help_text="下次信息公开截止: the earliest disclosure not yet published, or null."
    )
    disclosures = DisclosureSerializer(many=True)
    corrections = CorrectionSerializer(many=True)

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "body",
            "next_disclosure_due",
            "disclosures",
            "corrections",
        ]

    @extend_schema_field(DisclosureDueSerializer(allow_null=True))
    def get_next_disclosure_due(self, project: Project) -> dict | None:
        outcome = selectors.project_calendar(project).next_due
        if outcome is None:
            return None
        return DisclosureDueSerializer(
            {
                "kind": outcome.obligation.kind.value,
                "due": outcome.obligation.due,
                "overdue": outcome.state == "overdue",
            }
        ).data
