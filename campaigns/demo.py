"""Demo campaigns drawn from what the city actually ran, with participation."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from wenzhou_portal.demo import demo_seeder
from wenzhou_portal.models import PhoneVerification

from . import services
from .models import (
    Campaign,
    Candidate,
    EventRegistration,
    ExternalReach,
    PageViewDay,
    Signature,
    Vote,
)

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
        title_en="“Be civil online, starting with you and me” pledge",
        summary_en="Pledge to be civil and reasonable online and not to believe or spread rumours; download a certificate after signing.",
        body="## 倡议\n\n- 文明上网，理性发言\n- 不信谣、不传谣\n- 保护个人信息",
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
        title_en="Digital literacy for young people: school talks (Lucheng)",
        summary_en="Speakers visit schools to talk about fraud, gaming addiction and protecting personal information.",
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=20),
        is_published=True,
        capacity=3,
        venue="鹿城区某中学报告厅",
    )
    for index, name in enumerate(["赵老师", "孙同学家长", "周同学", "吴同学"]):
        # Demo attendees' numbers count as proven (no text message is sent for them).
        phone = f"1390000{index:04d}"
        proven = PhoneVerification.objects.create(
            phone_hash=services.phone_hash(phone),
            phone_tail=phone[-4:],
            code_hash="demo$",
            verified_at=now,
        )
        services.event_register(campaign=event, name=name, verification=proven)
    theme = Campaign.objects.create(
        title="“大国之重@共同富裕”网络主题传播活动",
        slug="common-prosperity-week",
        kind="theme",
        summary="聚焦共富场景，探讨共富路径：系列短视频与网络主题报道。",
        title_en="“The weight of a great nation @ common prosperity” online week",
        summary_en="Short videos and online reports on scenes of and paths to common prosperity.",
        starts_at=now - timedelta(days=5),
        ends_at=now + timedelta(days=9),
        is_published=True,
        target_reads=10_000_000,
    )
    festival = Campaign.objects.create(
        title="“诗画江南 活力温州”第十四届网络文化节",
        slug="online-culture-festival-14",
        kind="theme",
        summary="网络传年味、文明迎新春：五大网络主题传播活动。",
        title_en="“Poetic Jiangnan, vibrant Wenzhou”: the 14th online culture festival",
        summary_en="Five online campaigns to welcome the new year in a civil way.",
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
    vote = Campaign.objects.create(
        title="“最美外卖骑手”网络评选",
        slug="finest-delivery-rider",
        kind="vote",
        summary="寻找温州街头最暖心的外卖骑手：公众投票与专家评审相结合。",
        title_en="“Finest delivery rider” public vote",
        summary_en="Finding Wenzhou's most caring delivery riders: a public vote weighed with a jury.",
        starts_at=now - timedelta(days=4),
        ends_at=now + timedelta(days=10),
        is_published=True,
        votes_per_day=3,
        public_weight=40,
    )
    riders = [
        Candidate.objects.create(campaign=vote, name=name, story=story, status="approved", order=i)
        for i, (name, story) in enumerate(
            [
                ("骑手小王", "暴雨夜送餐途中救助落水老人。"),
                ("骑手阿芳", "坚持为独居老人免费代买药品三年。"),
                ("骑手老陈", "发现小区火情及时报警并协助疏散。"),
            ]
        )
    ]
    for n in range(24):
        Vote.objects.create(
            campaign=vote,
            candidate=riders[n % 3 if n < 18 else 0],
            phone_hash=services.phone_hash(f"1370000{n:04d}"),
            client_key=f"demo-{n}",
            cast_on=(now - timedelta(days=n % 3)).date(),
            slot=1,
        )
    contest = Campaign.objects.create(
        title="第四届“最美IN温州”抖音创意大赛",
        slug="most-beautiful-in-wenzhou-4",
        kind="contest",
        summary="用短视频展现温州速度、温州元素、温州智慧。",
        title_en="The 4th “Best of Wenzhou” Douyin creative contest",
        summary_en="Short videos showing Wenzhou's speed, character and ingenuity.",
        starts_at=now - timedelta(days=6),
        ends_at=now + timedelta(days=30),
        is_published=True,
        public_weight=30,
    )
    for i, (name, state) in enumerate(
        [("江心屿的清晨", "approved"), ("楠溪江竹筏", "approved"), ("瓯柑丰收季", "pending")]
    ):
        Candidate.objects.create(
            campaign=contest,
            name=name,
            story="参赛短视频。",
            link=f"https://www.douyin.com/video/73000000000000{i:05d}",
            status=state,
            status_token=f"demo-entry-{i}",
        )
    for campaign, districts, tags in (
        (pledge, [], "网络文明，青少年"),
        (event, ["330302"], "青少年，网络素养"),
        (theme, [], "共同富裕"),
        (festival, [], "网络文化节"),
        (vote, [], "新就业群体"),
        (contest, [], "网络文化节，短视频"),
    ):
        services.campaign_codes_set(
            campaign=campaign, districts=districts, tags=services.tags_parse(tags)
        )
    waitlisted = EventRegistration.objects.filter(status="waitlisted").count()
    say(
        f"Created 6 demo campaigns ({len(SIGNERS)} signatures, {waitlisted} on a waiting list, "
        "a vote with 24 votes, a contest with entries)."
    )
