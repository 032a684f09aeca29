"""The shape of the report desk's API input and output."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wenzhou_portal import images as evidence
from wenzhou_portal.districts import District
from wenzhou_portal.timeparse import AwareDateTimeSerializerField

from .forms import report_column_limit
from .models import Category, Debunk, Department, Platform, Report
from .services import ACTIONS, ActionField, FieldKind, ReportAction, ReportInput


class ReportSubmitSerializer(serializers.Serializer):
    """The shape of a report; the intake rules are rumors.services.report_input_validate."""

    # What the reported thing is must be findable: at least one of these (the service's
    # rule, stated in the schema as an anyOf).
    schema_at_least_one_of = ("url", "account", "place_description")

    category = serializers.ChoiceField(choices=Category.choices)
    platform = serializers.ChoiceField(choices=Platform.choices)
    url = serializers.URLField(
        required=False, allow_blank=True, max_length=report_column_limit("url")
    )
    account = serializers.CharField(
        required=False, allow_blank=True, max_length=report_column_limit("account")
    )
    place_description = serializers.CharField(
        required=False, allow_blank=True, max_length=report_column_limit("place_description")
    )
    content = serializers.CharField(max_length=4000)
    seen_at = AwareDateTimeSerializerField(required=False, allow_null=True)
    district = serializers.ChoiceField(choices=District.choices, required=False, allow_blank=True)
    images = extend_schema_field(
        {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": settings.REPORT_EVIDENCE_MAX_FILES,
        }
    )(serializers.ListField(child=serializers.FileField(), required=False, allow_empty=True))
    # Room for "+86 138 0013 8000": the service reads it as the 11 digits it stores.
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    contact_email = serializers.EmailField(
        required=False, allow_blank=True, max_length=report_column_limit("contact_email")
    )
    contact_consent = serializers.BooleanField(required=False, default=False)

    def validate_images(self, files):
        if len(files) > settings.REPORT_EVIDENCE_MAX_FILES:
            raise serializers.ValidationError(
                _("最多上传 %(max)s 张截图。") % {"max": settings.REPORT_EVIDENCE_MAX_FILES}
            )
        decoded = []
        for upload in files:
            try:
                decoded.append(evidence.validate_evidence_image(upload))
            except DjangoValidationError as exc:
                raise serializers.ValidationError(
                    [f"{upload.name}: {message}" for message in exc.messages]
                ) from exc
        return decoded

    def to_input(self) -> ReportInput:
        data = self.validated_data
        return ReportInput(
            category=data["category"],
            platform=data["platform"],
            content=data["content"].strip(),
            url=data.get("url", ""),
            account=data.get("account", "").strip(),
            place_description=data.get("place_description", "").strip(),
            seen_at=data.get("seen_at"),
            district=data.get("district", ""),
            contact_phone=data.get("contact_phone", ""),
            contact_email=data.get("contact_email", ""),
            contact_consent=data.get("contact_consent", False),
        )


class ReporterAnswerSerializer(serializers.Serializer):
    """The reporter's answer to a request; the rules are services.report_reporter_answer."""

    text = serializers.CharField(max_length=4000)
    images = extend_schema_field(
        {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": settings.REPORT_EVIDENCE_MAX_FILES,
        }
    )(serializers.ListField(child=serializers.FileField(), required=False, allow_empty=True))

    validate_images = ReportSubmitSerializer.validate_images


class ReviewRequestSerializer(serializers.Serializer):
    """Why the reporter asks for a second look; the rules are services.report_review_request."""

    reason = serializers.CharField(max_length=1000)


class SubmittedSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(source="formatted_tracking_code")
    public_status = serializers.CharField(source="public_status.value")


class TimelineStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    public_status = serializers.CharField()
    text = serializers.CharField()


class PublicTrackSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    category = serializers.CharField()
    public_status = serializers.CharField()
    public_status_label = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    timeline = TimelineStepSerializer(many=True)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "name_en", "kind", "district"]


class StaffReportSerializer(serializers.ModelSerializer):
    tracking_code = serializers.CharField(source="formatted_tracking_code")
    lead_department = DepartmentSerializer(read_only=True)
    public_status = serializers.CharField(source="public_status.value")
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Report
        fields = [
            "id",
            "tracking_code",
            "category",
            "platform",
            "district",
            "url",
            "account",
            "place_description",
            "content",
            "seen_at",
            "status",
            "public_status",
            "priority",
            "lead_department",
            "due_at",
            "is_overdue",
            "public_feedback",
            "rating",
            "created_at",
            "closed_at",
        ]


class StaffEventSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    department = serializers.CharField(source="department.name", default=None, allow_null=True)
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    public_text = serializers.CharField(allow_blank=True)
    internal_text = serializers.CharField(allow_blank=True)
    due_at = serializers.DateTimeField(allow_null=True)


class StaffReportDetailSerializer(StaffReportSerializer):
    events = StaffEventSerializer(many=True, read_only=True)
    co_handlers = DepartmentSerializer(many=True, read_only=True)

    class Meta(StaffReportSerializer.Meta):
        fields = [*StaffReportSerializer.Meta.fields, "co_handlers", "events"]


def _action_field(spec: ActionField) -> serializers.Field:
    common = {"required": False, "help_text": str(spec.label)}
    if spec.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.TRACKING_CODE):
        return serializers.CharField(allow_blank=True, max_length=spec.max_length, **common)
    if spec.kind == FieldKind.CHOICE:
        return serializers.ChoiceField(choices=spec.choices(), allow_blank=True, **common)
    if spec.kind == FieldKind.INTEGER:
        return serializers.IntegerField(
            min_value=spec.min_value, max_value=spec.max_value, **common
        )
    # A department's or a debunk's id; the service checks that it exists and may be used.
    return serializers.IntegerField(min_value=1, **common)


def action_serializer(action: ReportAction) -> type[serializers.Serializer]:
    """The input of one report action, built from its entry in the action table.

    It only shapes input; which fields are required is the service's rule.
    """
    name = "".join(part.title() for part in action.name.split("_")) + "ActionInput"
    fields = {spec.name: _action_field(spec) for spec in action.fields}
    return type(name, (serializers.Serializer,), {**fields, "__doc__": str(action.label)})


ACTION_SERIALIZERS = {name: action_serializer(action) for name, action in ACTIONS.items()}


class DebunkSourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    title_en = serializers.CharField(help_text="English title; empty when not translated.")
    url = serializers.URLField()


class DebunkListSerializer(serializers.ModelSerializer):
    """A debunk; every <field>_en is the staff's English, empty when not translated."""

    authority = serializers.CharField(source="authority.name")
    authority_en = serializers.CharField(source="authority.name_en")
    url = serializers.CharField(source="get_absolute_url")
    districts = serializers.ListField(source="district_codes", child=serializers.CharField())
    categories = serializers.ListField(source="category_codes", child=serializers.CharField())

    class Meta:
        model = Debunk
        fields = [
            "slug",
            "title",
            "title_en",
            "verdict",
            "summary",
            "summary_en",
            "authority",
            "authority_en",
            "districts",
            "categories",
            "published_at",
            "corrected_at",
            "url",
        ]


class DebunkDetailSerializer(DebunkListSerializer):
    sources = DebunkSourceSerializer(many=True, read_only=True)
    tags = serializers.ListField(source="tag_list", child=serializers.CharField())
    tags_en = serializers.ListField(
        source="tag_list_en",
        child=serializers.CharField(allow_blank=True),
        help_text="The English of each tag, in the order of tags; empty when not translated.",
    )

    class Meta(DebunkListSerializer.Meta):
        fields = [
            *DebunkListSerializer.Meta.fields,
            "claim",
            "claim_en",
            "body",
            "body_en",
            "correction_note",
            "correction_note_en",
            "tags",
            "tags_en",
            "sources",
        ]


class DebunkLabelSerializer(serializers.Serializer):
    """One label a platform can attach to posts repeating a debunked claim."""

    id = serializers.CharField()
    claim = serializers.CharField()
    claim_en = serializers.CharField(help_text="English claim; empty when not translated.")
    keywords = serializers.ListField(child=serializers.CharField())
    urls = serializers.ListField(child=serializers.CharField())
    accounts = serializers.ListField(child=serializers.DictField())
    verdict = serializers.CharField()
    verdict_label = serializers.CharField()
    authority = serializers.CharField()
    authority_en = serializers.CharField(help_text="English name; empty when not translated.")
    valid_from = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.CharField()


# --- Debunks: withdrawn, and the label feed ----------------------------------------


class WithdrawnDebunkSerializer(serializers.Serializer):
    """What the address of a withdrawn debunk answers (410 Gone): when and why, no content."""

    slug = serializers.CharField()
    status = serializers.CharField(help_text='Always "withdrawn".')
    withdrawn = serializers.BooleanField()
    withdrawn_at = serializers.DateTimeField()
    withdrawal_reason = serializers.CharField()
    withdrawal_reason_en = serializers.CharField(
        help_text="English reason; empty when not translated."
    )
    authority = serializers.CharField()
    authority_en = serializers.CharField(help_text="English name; empty when not translated.")


class ActiveDebunkLabelSerializer(DebunkLabelSerializer):
    """A label in force: tag posts repeating this claim."""

    status = serializers.CharField(help_text='Always "active".')
    withdrawn = serializers.BooleanField(help_text="Always false for a label in force.")


class DebunkLabelTombstoneSerializer(serializers.Serializer):
    """A withdrawn label: remove every tag carrying this id. The content is not repeated."""

    id = serializers.CharField(help_text="The same stable id the label had while in force.")
    status = serializers.CharField(help_text='Always "withdrawn".')
    withdrawn = serializers.BooleanField(help_text="Always true for a tombstone.")
    withdrawn_at = serializers.DateTimeField()
    withdrawal_reason = serializers.CharField()
    withdrawal_reason_en = serializers.CharField(
        help_text="English reason; empty when not translated."
    )
    authority = serializers.CharField()
    authority_en = serializers.CharField(help_text="English name; empty when not translated.")
    valid_from = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="The debunk's address; it now answers 410 Gone.")


# --- Public statistics ----------------------------------------------------------------


class StatsMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="Calendar month in Asia/Shanghai time, YYYY-MM.")
    received = serializers.IntegerField(help_text="Reports submitted in the month.")
    closed = serializers.IntegerField(
        help_text="Reports closed (resolved, rejected or merged) in the month, by closing date."
    )


class StatsDebunkMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="Calendar month in Asia/Shanghai time, YYYY-MM.")
    published = serializers.IntegerField(help_text="Debunks published in the month.")


class StatsWindowSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField(help_text="Inclusive; the window is 12 calendar months.")
    first_month = serializers.CharField()
    last_month = serializers.CharField()


class StatsTotalsSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Reports submitted in the window.")
    closed = serializers.IntegerField(help_text="Of those, reports now closed.")
    closure_rate_percent = serializers.FloatField(
        allow_null=True, help_text="closed / received × 100, one decimal; null if none received."
    )


class StatsWorkingDaysFigureSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Reports behind the figures.")
    median = serializers.IntegerField(allow_null=True, help_text="Nearest-rank 50th percentile.")
    p90 = serializers.IntegerField(allow_null=True, help_text="Nearest-rank 90th percentile.")


class StatsWorkingDaysSerializer(serializers.Serializer):
    first_response = StatsWorkingDaysFigureSerializer(
        help_text="Working days from submission to first response, reports of the window."
    )
    close = StatsWorkingDaysFigureSerializer(
        help_text="Working days from submission to closure, reports of the window now closed."
    )


class StatsDeadlineSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="Reports of the window now closed that had a due date."
    )
    on_time = serializers.IntegerField(help_text="Of those, closed on or before the due date.")
    on_time_percent = serializers.FloatField(allow_null=True)


class StatsReviewsSerializer(serializers.Serializer):
    requested = serializers.IntegerField(
        help_text="Second looks (复核) asked for by reporters in the window."
    )
    upheld = serializers.IntegerField(help_text="Of those, the outcome was upheld.")
    reopened = serializers.IntegerField(help_text="Of those, the report was handled again.")
    pending = serializers.IntegerField(help_text="Of those, not yet decided.")


class StatsGroupSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Category code, department id or district code; empty if none."
    )
    label = serializers.CharField()
    received = serializers.IntegerField()
    closed = serializers.IntegerField()
    closure_rate_percent = serializers.FloatField(allow_null=True)
    median_working_days_to_close = serializers.IntegerField(allow_null=True)
    median_count = serializers.IntegerField(help_text="Closed reports behind the median.")
    rank = serializers.IntegerField(
        allow_null=True, help_text="By closure rate, ties share a rank; null when not ranked."
    )
    ranked = serializers.BooleanField(help_text="False when received < min_group.")


class ReportStatisticsSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    window = StatsWindowSerializer()
    min_group = serializers.IntegerField(help_text="Groups with fewer reports are not ranked.")
    totals = StatsTotalsSerializer()
    months = StatsMonthSerializer(many=True)
    working_days = StatsWorkingDaysSerializer()
    deadline = StatsDeadlineSerializer()
    reviews = StatsReviewsSerializer()
    by_category = StatsGroupSerializer(many=True)
    by_department = StatsGroupSerializer(many=True)
    by_district = StatsGroupSerializer(many=True)
    debunks = StatsDebunkMonthSerializer(many=True)
