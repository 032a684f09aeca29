"""The shape of the campaigns API's input and output; the rules are in campaigns.services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from wenzhou_portal.api import ErrorResponseSerializer
from wenzhou_portal.districts import District
from wenzhou_portal.phones import INVALID_MOBILE, mobile_normalise

from . import selectors
from .models import Campaign


class MobileNumberSerializerField(serializers.CharField):
    """A mainland mobile number as people type it ("+86 138-0013-8000", full-width digits),
    read by the portal's one parser as the page's MobileNumberField reads it; the value is
    the 11 digits."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)  # room for "+86 138 0013 8000" and a label
        kwargs.setdefault("help_text", "A mainland mobile number; spaces, dashes, +86 allowed.")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        if len(text) > self.max_length:
            raise serializers.ValidationError(str(INVALID_MOBILE), code="invalid_mobile")
        try:
            return mobile_normalise(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc


class CampaignSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.value")
    url = serializers.CharField(source="get_absolute_url")
    tags = serializers.ListField(source="tag_list", child=serializers.CharField())

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "title",
            "kind",
            "state",
            "summary",
            "organiser",
            "tags",
            "starts_at",
            "ends_at",
            "url",
        ]


class CampaignDetailSerializer(CampaignSerializer):
    reach = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [
            *CampaignSerializer.Meta.fields,
            "body",
            "votes_per_day",
            "public_weight",
            "capacity",
            "reach",
        ]

    def get_reach(self, campaign: Campaign) -> dict:
        return {
            key: {"value": figure["value"], "definition": str(figure["definition"])}
            for key, figure in selectors.campaign_reach(campaign).items()
        }


class PhoneSerializer(serializers.Serializer):
    phone = MobileNumberSerializerField()


class CodeSerializer(serializers.Serializer):
    verification_id = serializers.IntegerField()
    code = serializers.RegexField(r"^\d{6}$")


class PledgeSerializer(CodeSerializer):
    display_name = serializers.CharField(max_length=20)
    district = serializers.ChoiceField(choices=District.choices, required=False, allow_blank=True)


class VoteSerializer(serializers.Serializer):
    voter_token = serializers.CharField()
    candidate = serializers.IntegerField()


class RegistrationSerializer(CodeSerializer):
    name = serializers.CharField(max_length=30)


class CodeSentSerializer(serializers.Serializer):
    verification_id = serializers.IntegerField(help_text="Send it back with the code.")


class PledgeSignedSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="This signature's number in the pledge.")


class VoterTokenSerializer(serializers.Serializer):
    voter_token = serializers.CharField(help_text="Proves the number for 30 minutes of votes.")


class VoteCountedSerializer(serializers.Serializer):
    counted = serializers.BooleanField(help_text="Always true.")


class RegisteredSerializer(serializers.Serializer):
    # A plain string: another choice set named "status" (reports) owns the enum's name.
    status = serializers.CharField(help_text='"confirmed" while places last, then "waitlisted".')
    cancel_token = serializers.CharField(help_text="Keep it to cancel the registration.")


class RateLimitedErrorSerializer(ErrorResponseSerializer):
    """A refusal because this client (or number) is over a limit: when to come back."""

    retry_after = serializers.IntegerField(
        min_value=1, help_text="Seconds until the limit lets this client try again (= Retry-After)."
    )
