"""Demo campaigns drawn from what the city actually ran, with participation."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from wenzhou_portal.demo import demo_seeder

from . import services
from .models import Campaign, EventRegistration, ExternalReach, PageViewDay, Signature

SIGNERS = [
    ("张伟", "330302"),
    ("王芳", "330303"),
    ("李娜", "330304"),
    ("刘洋", "330381"),
    ("陈静", "330382"),
    ("欧阳娜娜", "330324"),
]


@demo_seeder(order=30)
def seed_campaigns(say: Callable[[str], None]) -> None:
    """A live pledge, a live event with a waiting list, a running theme week and a past one."""
    if Campaign.objects.exists():
        say("Demo campaigns already exist.")
        return
    now = timezone.now()
    pledge = Campaign.objects.create(
        title="“文明上网，从你我做起”网上签名",
        slug="civilised-online-pledge",
        kind="pledge",
        summary="承诺文明上网、理性发言、不信谣不传谣，签名后可下载签名证书。",
        body="## 倡议\n\n- 文明上网，理性发言\n- 不信谣、不传谣\n- 保护个人信息",
        tags="网络文明,青少年",
        starts_at=now - timedelta(days=10),
        ends_at=now + timedelta(days=50),
        is_published=True,
        target_participants=10000,
    )
    for number, (name, district) in enumerate(SIGNERS, start=1):
        Signature.objects.create(
            campaign=pledge,
            phone_hash=services.phone_hash(f"1380000{number:04d}"),
            display_name=name,
            district=district,
            number=number,
            signed_at=now - timedelta(days=10 - number),
        )
    event = Campaign.objects.create(
        title="青少年网络素养宣讲进校园（鹿城站）",
        slug="youth-digital-literacy-lucheng",
        kind="event",
        summary="清朗网络宣讲团走进学校，讲解防诈骗、防沉迷和个人信息保护。",
        districts=",330302,",
        tags="青少年,网络素养",
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=20),
        is_published=True,
        capacity=3,
        venue="鹿城区某中学报告厅",
    )
    for index, name in enumerate(["赵老师", "孙同学家长", "周同学", "吴同学"]):
        services.event_register(campaign=event, name=name, phone=f"1390000{index:04d}")
    theme = Campaign.objects.create(
        title="“大国之重@共同富裕”网络主题传播活动",
        slug="common-prosperity-week",
        kind="theme",
        summary="聚焦共富场景，探讨共富路径：系列短视频与网络主题报道。",
        tags="共同富裕",
        starts_at=now - timedelta(days=5),
        ends_at=now + timedelta(days=9),
        is_published=True,
        target_reads=10_000_000,
    )
    Campaign.objects.create(
        title="“诗画江南 活力温州”第十四届网络文化节",
        slug="online-culture-festival-14",
        kind="theme",
        summary="网络传年味、文明迎新春：五大网络主题传播活动。",
        tags="网络文化节",
        starts_at=now - timedelta(days=300),
        ends_at=now - timedelta(days=240),
        is_published=True,
    )
    for days_ago, reads in ((4, 1_200_000), (3, 2_300_000), (2, 3_100_000)):
        ExternalReach.objects.create(
            campaign=theme,
            platform="douyin",
            day=(now - timedelta(days=days_ago)).date(),
            reads=reads,
        )
        PageViewDay.objects.create(
            campaign=theme,
            day=(now - timedelta(days=days_ago)).date(),
            views=800 + reads // 5000,
            unique_visitors=500,
        )
    waitlisted = EventRegistration.objects.filter(status="waitlisted").count()
    say(f"Created 4 demo campaigns ({len(SIGNERS)} signatures, {waitlisted} on a waiting list).")
