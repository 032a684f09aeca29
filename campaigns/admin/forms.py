"""The admin's model forms: image uploads stored privately, and the campaign's own form.

A campaign's districts and tags are rows of their own, written through the service once
the campaign is saved; the form only shows and checks them.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import images
from wenzhou_portal.districts import District

from .. import services
from ..models import Campaign, Candidate
from ..slugs import slug_from_title, slug_unused


class ImageUploadMixin(forms.ModelForm):
    """An optional image field: decoded, re-encoded without metadata, stored privately."""

    image_target = "image_path"
    upload = forms.FileField(
        label=_("图片"), required=False, help_text=_("JPEG、PNG 或 WebP，不超过 5 MB。")
    )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        return images.validate_evidence_image(upload) if upload else None

    def save(self, commit=True):
        obj = super().save(commit=False)
        decoded = self.cleaned_data.get("upload")
        if decoded is not None:
            redacted = images.redacted_copy(decoded)
            setattr(
                obj,
                self.image_target,
                images.store_private(
                    redacted.data, extension=redacted.extension, folder="campaigns"
                ),
            )
        if commit:
            obj.save()
            self._save_m2m()
        return obj


class CandidateForm(ImageUploadMixin):
    # The moderation status is set by the approve and reject actions (entry_moderate).
    class Meta:
        model = Candidate
        fields = ("name", "name_en", "story", "story_en", "link", "order")


class CandidateAdminForm(CandidateForm):
    """Outside a campaign's page a nominee needs its campaign (fixed once it exists)."""

    class Meta(CandidateForm.Meta):
        fields = ("campaign", *CandidateForm.Meta.fields)


class CampaignForm(ImageUploadMixin):
    image_target = "cover_path"
    district_choices = forms.MultipleChoiceField(
        label=_("涉及县（市、区）"),
        required=False,
        choices=District.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    tags_text = forms.CharField(
        label=_("标签"),
        required=False,
        max_length=300,
        help_text=_("用逗号分隔，例如：青少年，网络素养。"),
    )
    tags_en_text = forms.CharField(
        label=_("英文标签（选填）"),
        required=False,
        max_length=300,
        help_text=_(
            "与上面的中文标签一一对应，按同样顺序用逗号分隔，例如：Youth, Digital literacy。"
        ),
    )

    class Meta:
        model = Campaign
        # district_choices and tags_text are rows (CampaignDistrict, CampaignTag), written
        # by services.campaign_codes_set once the campaign is saved.
        fields = (
            "title",
            "title_en",
            "slug",
            "kind",
            "summary",
            "summary_en",
            "body",
            "body_en",
            "organiser",
            "organiser_en",
            "district_choices",
            "tags_text",
            "tags_en_text",
            "starts_at",
            "ends_at",
            "target_participants",
            "target_reads",
            "votes_per_day",
            "hide_tallies_while_open",
            "public_weight",
            "vote_starts_at",
            "vote_ends_at",
            "capacity",
            "venue",
        )
        error_messages = {
            "slug": {
                "invalid": _(
                    "网址名只能用英文小写字母、数字和连字符（-），或者留空，由系统按标题生成。"
                ),
            },
            "title": {"required": _("请填写活动标题。")},
            "summary": {"required": _("请用一两句话介绍这个活动。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].label = _("封面图片")
        if self.instance.pk:
            self.fields["district_choices"].initial = self.instance.district_codes
            tags = list(self.instance.tag_links.all())
            self.fields["tags_text"].initial = "，".join(tag.name for tag in tags)
            self.fields["tags_en_text"].initial = ", ".join(tag.name_en for tag in tags)

    def clean_slug(self) -> str:
        """A blank slug is made from the title (pinyin); a typed one must be free."""
        slug = self.cleaned_data.get("slug", "")
        if not slug:
            title = self.cleaned_data.get("title", "")
            return slug_unused(slug_from_title(title), exclude_pk=self.instance.pk)
        clash = Campaign.objects.filter(slug=slug).exclude(pk=self.instance.pk).first()
        if clash is not None:
            raise ValidationError(
                _("网址名“%(slug)s”已被活动《%(title)s》使用，请换一个，或者留空由系统生成。")
                % {"slug": slug, "title": clash.title},
                code="slug_taken",
            )
        return slug

    def clean_tags_text(self) -> list[str]:
        return services.tags_parse(self.cleaned_data["tags_text"])

    def clean_tags_en_text(self) -> list[str]:
        # English names are separated by commas only: they have spaces inside.
        text = self.cleaned_data["tags_en_text"].replace("，", ",")
        return [" ".join(name.split()) for name in text.split(",")] if text.strip() else []

    def clean(self):
        cleaned = super().clean()
        tags, tags_en = cleaned.get("tags_text"), cleaned.get("tags_en_text")
        if tags is not None and tags_en and len(tags_en) != len(tags):
            self.add_error(
                "tags_en_text",
                _("英文标签要和中文标签一样多（中文 %(zh)s 个，英文 %(en)s 个），按同样顺序填写。")
                % {"zh": len(tags), "en": len(tags_en)},
            )
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        services.campaign_codes_set(
            campaign=self.instance,
            districts=self.cleaned_data["district_choices"],
            tags=self.cleaned_data["tags_text"],
            tags_en=self.cleaned_data.get("tags_en_text") or [],
        )
