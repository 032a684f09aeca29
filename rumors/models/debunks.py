"""Official debunks (辟谣), their sources, and where the rumor circulated."""

from django.conf import settings
from django.db import models
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District

from .choices import Category, Platform, Verdict
from .desk import Department

PUBLISHED_DEBUNK_NOT_DELETABLE = _("已发布的辟谣不能删除，只能撤回。")


class DebunkQuerySet(models.QuerySet):
    def delete(self):
        # A bulk delete (admin's "delete selected", a shell) refuses published debunks too.
        published = list(self.filter(is_published=True)[:10])
        if published:
            raise ProtectedError(PUBLISHED_DEBUNK_NOT_DELETABLE, published)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class Debunk(models.Model):
    """An official answer to a claim that circulated online (辟谣).

    Once published it is never deleted: it is withdrawn (撤回) with a reason, and stays as
    a tombstone for the reports linked to it and for platforms polling the label feed.
    """

    title = models.CharField(_("标题"), max_length=200)
    # English siblings (<field>_en, the portal's one pattern): optional; an English page
    # shows the Chinese with a visible "(中文)" mark where one is missing.
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=120,
        unique=True,
        allow_unicode=False,
        help_text=_("用于网址，只能包含小写字母、数字和短横线，例如 water-supply-rumor。"),
    )
    claim = models.TextField(_("网传说法"))
    claim_en = models.TextField(_("英文网传说法"), blank=True)
    verdict = models.CharField(_("结论"), max_length=12, choices=Verdict.choices)
    summary = models.TextField(_("摘要"), max_length=600)
    summary_en = models.TextField(_("英文摘要"), max_length=600, blank=True)
    body = models.TextField(_("正文（Markdown）"), blank=True)
    body_en = models.TextField(_("英文正文（Markdown）"), blank=True)
    authority = models.ForeignKey(
        Department, verbose_name=_("发布机关"), on_delete=models.PROTECT, related_name="debunks"
    )
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("供平台识别谣言，用逗号分隔。")
    )
    is_published = models.BooleanField(_("已发布"), default=False, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    corrected_at = models.DateTimeField(_("更正时间"), null=True, blank=True)
    correction_note = models.TextField(_("更正说明"), blank=True)
    correction_note_en = models.TextField(_("英文更正说明"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, db_index=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    withdrawal_reason_en = models.TextField(_("英文撤回理由"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = DebunkQuerySet.as_manager()

    class Meta:
        verbose_name = _("辟谣")
        verbose_name_plural = _("辟谣")
        ordering = ["-published_at", "-pk"]
        permissions = [("publish_debunk", _("可以发布和更正辟谣"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_published=False) | models.Q(published_at__isnull=False),
                name="published_debunk_has_a_date",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | (models.Q(is_published=True) & ~models.Q(withdrawal_reason="")),
                name="withdrawn_debunk_was_published_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("debunks:detail", args=[self.slug])

    def delete(self, *args, **kwargs):
        # Asked of the database: an instance loaded as a draft may have been published since.
        if self.is_published or type(self).objects.filter(pk=self.pk, is_published=True).exists():
            raise ProtectedError(PUBLISHED_DEBUNK_NOT_DELETABLE, [self])
        return super().delete(*args, **kwargs)

    delete.alters_data = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    # The many-valued codes are child rows; prefetch "district_links", "category_links"
    # and "tag_links" (selectors do) and these read the prefetched rows.
    @property
    def district_codes(self) -> list[str]:
        return sorted(link.district for link in self.district_links.all())

    @property
    def category_codes(self) -> list[str]:
        return sorted(link.category for link in self.category_links.all())

    @property
    def keyword_list(self) -> list[str]:
        return [
            word.strip() for word in self.keywords.replace("，", ",").split(",") if word.strip()
        ]

    @property
    def tag_list(self) -> list[str]:
        return sorted(link.name for link in self.tag_links.all())

    @property
    def tags(self) -> list["DebunkTag"]:
        """The tag rows in the order of tag_list, for pages that show name or name_en."""
        return sorted(self.tag_links.all(), key=lambda link: link.name)

    @property
    def tag_list_en(self) -> list[str]:
        """The English of each tag in tag_list ("" where not translated)."""
        return [link.name_en for link in self.tags]


class DebunkSource(models.Model):
    debunk = models.ForeignKey(Debunk, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("来源标题"), max_length=200)
    title_en = models.CharField(_("英文来源标题"), max_length=200, blank=True)
    url = models.URLField(_("来源链接"), max_length=1000)

    class Meta:
        verbose_name = _("信息来源")
        verbose_name_plural = _("信息来源")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class DebunkAppearance(models.Model):
    """Where the claim circulated: a canonical URL or a platform account."""

    debunk = models.ForeignKey(Debunk, on_delete=models.CASCADE, related_name="appearances")
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices)
    url = models.URLField(_("链接"), max_length=1000, blank=True)
    account = models.CharField(_("账号"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("传播位置")
        verbose_name_plural = _("传播位置")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="") | ~models.Q(account=""),
                name="appearance_has_url_or_account",
            )
        ]

    def __str__(self) -> str:
        return self.url or self.account


class DebunkDistrict(models.Model):
    """A district a debunk concerns (one row per district)."""

    debunk = models.ForeignKey(Debunk, on_delete=models.CASCADE, related_name="district_links")
    district = models.CharField(_("县（市、区）"), max_length=6, choices=District.choices)

    class Meta:
        verbose_name = _("涉及县（市、区）")
        verbose_name_plural = _("涉及县（市、区）")
        constraints = [
            models.UniqueConstraint(fields=["debunk", "district"], name="one_debunk_district")
        ]
        indexes = [models.Index(fields=["district", "debunk"])]

    def __str__(self) -> str:
        return self.get_district_display()


class DebunkCategory(models.Model):
    """A report category a debunk answers (one row per category)."""

    debunk = models.ForeignKey(Debunk, on_delete=models.CASCADE, related_name="category_links")
    category = models.CharField(_("类别"), max_length=30, choices=Category.choices)

    class Meta:
        verbose_name = _("涉及类别")
        verbose_name_plural = _("涉及类别")
        constraints = [
            models.UniqueConstraint(fields=["debunk", "category"], name="one_debunk_category")
        ]
        indexes = [models.Index(fields=["category", "debunk"])]

    def __str__(self) -> str:
        return self.get_category_display()


class DebunkTag(models.Model):
    """A tag on a debunk (民生, 供水…), one row per tag."""

    debunk = models.ForeignKey(Debunk, on_delete=models.CASCADE, related_name="tag_links")
    name = models.CharField(_("标签"), max_length=30)
    name_en = models.CharField(_("英文标签"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        constraints = [models.UniqueConstraint(fields=["debunk", "name"], name="one_debunk_tag")]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name
