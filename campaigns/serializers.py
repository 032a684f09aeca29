"""The shape of the campaigns API's input and output; the rules are in campaigns.services."""

from rest_framework import serializers

from wenzhou_portal.districts import District
from wenzhou_portal.phones import MobileNumberSerializerField

from . import selectors
from .models import Campaign


class CampaignSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.value")
    url = serializers.CharField(source="get_absolute_url")
    tags = serializers.ListField(source="tag_list", child=serializers.CharField())
    tags_en = serializers.SerializerMethodField(
        help_text="The tags' English names in the order of tags; blank where none is given."
    )

    class Meta:
        model = Campaign
        # Each *_en field is the optional English text of its Chinese sibling (blank if none).
        fields = [
            "slug",
            "title",
            "title_en",
            "kind",
            "state",
            "summary",
            "summary_en",
            "organiser",
            "organiser_en",
            "tags",
            "tags_en",
            "starts_at",
            "ends_at",
            "url",
        ]

    def get_tags_en(self, campaign: Campaign) -> list[str]:
        return [link.name_en for link in campaign.tag_links.all()]


class CampaignDetailSerializer(CampaignSerializer):
    reach = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [
            *CampaignSerializer.Meta.fields,
            "body",
            "body_en",
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
