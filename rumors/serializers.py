"""The shape of the report desk's API input and output."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wenzhou_portal import images as evidence
from wenzhou_portal.districts import District
from wenzhou_portal.timeparse import AwareDateTimeSerializerField

from .forms import MOBILE_RE, report_column_limit
from .models import Category, Debunk, Department, Platform, RejectionReason, Report
from .services import ACTION_LABELS, ReportInput


class ReportSubmitSerializer(serializers.Serializer):
    # What the reported thing is must be findable: at least one of these (see validate()).
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
    content = serializers.CharField(min_length=10, max_length=2000)
    seen_at = AwareDateTimeSerializerField(required=False, allow_null=True)
    district = serializers.ChoiceField(choices=District.choices, required=False, allow_blank=True)
    images = extend_schema_field(
        {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": settings.REPORT_EVIDENCE_MAX_FILES,
        }
    )(serializers.ListField(child=serializers.FileField(), required=False, allow_empty=True))
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=report_column_limit("contact_phone")
    )
    contact_email = serializers.EmailField(
        required=False, allow_blank=True, max_length=report_column_limit("contact_email")
    )
    contact_consent = serializers.BooleanField(required=False, default=False)

    def validate_seen_at(self, value):
        from django.utils import timezone

        if value and value > timezone.now():
            raise serializers.ValidationError(_("发现时间不能晚于现在。"))
        return value

    def validate_contact_phone(self, value: str) -> str:
        value = "".join(value.split())
        if value and not MOBILE_RE.match(value):
            raise serializers.ValidationError(_("请输入 11 位中国大陆手机号码。"))
        return value

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

    def validate(self, attrs):
        if not any(attrs.get(name) for name in ("url", "account", "place_description")):
            raise serializers.ValidationError(
                {"url": _("请至少填写网址、账号或位置说明中的一项。")}
            )
        if (attrs.get("contact_phone") or attrs.get("contact_email")) and not attrs.get(
            "contact_consent"
        ):
            raise serializers.ValidationError(
                {"contact_consent": _("留下联系方式时，请勾选同意联系。")}
            )
        return attrs

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
        fields = ["id", "name", "kind", "district"]


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


class ReportActionSerializer(serializers.Serializer):
    """Input of one handling action; which fields matter depends on the action."""

    public_text = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    internal_text = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    reason = serializers.ChoiceField(choices=RejectionReason.choices, required=False)
    redirect_to = serializers.CharField(required=False, allow_blank=True, max_length=200)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False
    )
    working_days = serializers.IntegerField(required=False, min_value=1, max_value=90)
    primary_code = serializers.CharField(required=False, max_length=40)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    district = serializers.ChoiceField(choices=District.choices, required=False, allow_blank=True)
    debunk = serializers.PrimaryKeyRelatedField(queryset=Debunk.objects.all(), required=False)


ACTIONS = list(ACTION_LABELS)


class DebunkSourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField()


class DebunkListSerializer(serializers.ModelSerializer):
    authority = serializers.CharField(source="authority.name")
    url = serializers.CharField(source="get_absolute_url")
    districts = serializers.ListField(source="district_codes", child=serializers.CharField())
    categories = serializers.ListField(source="category_codes", child=serializers.CharField())

    class Meta:
        model = Debunk
        fields = [
            "slug",
            "title",
            "verdict",
            "summary",
            "authority",
            "districts",
            "categories",
            "published_at",
            "corrected_at",
            "url",
        ]


class DebunkDetailSerializer(DebunkListSerializer):
    sources = DebunkSourceSerializer(many=True, read_only=True)
    tags = serializers.ListField(source="tag_list", child=serializers.CharField())

    class Meta(DebunkListSerializer.Meta):
        fields = [
            *DebunkListSerializer.Meta.fields,
            "claim",
            "body",
            "correction_note",
            "tags",
            "sources",
        ]


class DebunkLabelSerializer(serializers.Serializer):
    """One label a platform can attach to posts repeating a debunked claim."""

    id = serializers.CharField()
    claim = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField())
    urls = serializers.ListField(child=serializers.CharField())
    accounts = serializers.ListField(child=serializers.DictField())
    verdict = serializers.CharField()
    verdict_label = serializers.CharField()
    authority = serializers.CharField()
    valid_from = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.CharField()
