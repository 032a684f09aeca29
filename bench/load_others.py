"""Campaigns (pledges, votes) and 乐善365 (organisations, projects, gifts and the ledger)."""

from datetime import date, timedelta

from bench.loader_base import sql_int_array, sql_text_array
from bench.vocabulary import (
    CAMPAIGN_KINDS,
    CAMPAIGNS,
    CANDIDATES_PER_VOTE,
    CAUSES,
    DISTRICTS,
    SUBJECTS,
)


class CampaignCharityTables:
    def campaigns(self) -> dict[str, list[int]]:
        from django.utils import timezone

        from campaigns.models import Campaign, CampaignDistrict, Candidate

        start = self.period_start()
        span = self.now - start
        made = []
        for index in range(CAMPAIGNS):
            kind = CAMPAIGN_KINDS[index % len(CAMPAIGN_KINDS)]
            begins = start + span * index / CAMPAIGNS
            made.append(
                Campaign(
                    title=f"{SUBJECTS[index % len(SUBJECTS)]}文明上网主题活动（第 {index + 1} 期）",
                    slug=f"bench-campaign-{index + 1}",
                    kind=kind,
                    summary="文明上网，从你我做起：温州市网络主题传播活动。",
                    starts_at=begins,
                    ends_at=begins + timedelta(days=45),
                    is_published=True,
                    target_participants=10_000,
                )
            )
        campaigns = Campaign.objects.bulk_create(made)
        CampaignDistrict.objects.bulk_create(
            CampaignDistrict(campaign=c, district=DISTRICTS[i % 12][0])
            for i, c in enumerate(campaigns)
        )
        votes = [c for c in campaigns if c.kind == "vote"]
        candidates = Candidate.objects.bulk_create(
            Candidate(
                campaign=campaign,
                name=f"候选人 {k + 1}",
                story="扎根基层的网络文明志愿者。",
                status=Candidate.Status.APPROVED,
                order=k,
                created_at=timezone.now(),
            )
            for campaign in votes
            for k in range(CANDIDATES_PER_VOTE)
        )
        self.counts["campaigns_campaign"] = len(campaigns)
        self.counts["campaigns_candidate"] = len(candidates)
        return {
            "pledge": [c.pk for c in campaigns if c.kind == "pledge"],
            "vote": [c.pk for c in votes],
            "candidate": [c.pk for c in candidates],
        }

    def signatures_and_votes(self, ids: dict[str, list[int]]) -> None:
        from campaigns.models import Signature, Vote

        codes = sql_text_array([code for code, _name in DISTRICTS])
        pledges = sql_int_array(ids["pledge"])
        source = f"""
            (SELECT x.g, x.campaign_id, x.d, c.starts_at, c.ends_at, x.h_time,
                    row_number() OVER (PARTITION BY x.campaign_id ORDER BY x.g) AS number
             FROM (SELECT g, ({pledges})[1 + mod({self.h(31)}, {len(ids["pledge"])})] AS campaign_id,
                          1 + mod({self.h(32)}, 12) AS d, {self.h(33)} AS h_time
                   FROM generate_series(1, {self.sizes["signatures"]}) AS g) AS x
             JOIN campaigns_campaign AS c ON c.id = x.campaign_id) AS s
        """  # noqa: S608  our own constants and numbers, no outside input
        signed_at = (
            "LEAST(s.starts_at + (s.ends_at - s.starts_at) * (mod(s.h_time, 100000) / 100000.0), "
            f"'{self.now.isoformat()}'::timestamptz)"
        )
        self.insert_select(
            Signature,
            {
                "campaign_id": "s.campaign_id",
                "phone_hash": f"md5('{self.seed}:signer:' || s.g)",
                "display_name": "'市民' || mod(s.h_time, 9999)",
                "district": f"({codes})[s.d]",
                "number": "s.number",
                "is_hidden": "false",
                "signed_at": signed_at,
                "withdrawn_at": "NULL",
            },
            source,
        )
        votes = sql_int_array(ids["vote"])
        candidates = sql_int_array(ids["candidate"])
        source = f"""
            (SELECT x.g, x.k, c.id AS campaign_id, c.starts_at, c.ends_at, x.h_time
             FROM (SELECT g, mod({self.h(41)}, {len(ids["vote"])}) AS k, {self.h(42)} AS h_time
                   FROM generate_series(1, {self.sizes["votes"]}) AS g) AS x
             JOIN campaigns_campaign AS c ON c.id = ({votes})[1 + x.k]) AS s
        """  # noqa: S608  our own constants and numbers, no outside input
        cast_at = (
            "LEAST(s.starts_at + (s.ends_at - s.starts_at) * (mod(s.h_time, 100000) / 100000.0), "
            f"'{self.now.isoformat()}'::timestamptz)"
        )
        self.insert_select(
            Vote,
            {
                "campaign_id": "s.campaign_id",
                "candidate_id": f"({candidates})[1 + s.k * {CANDIDATES_PER_VOTE} + mod(s.h_time / 7, {CANDIDATES_PER_VOTE})]",
                "phone_hash": f"md5('{self.seed}:voter:' || s.g)",
                "client_key": f"md5('{self.seed}:client:' || mod(s.h_time, 5000))",
                "cast_on": f"({cast_at} AT TIME ZONE 'Asia/Shanghai')::date",
                "slot": "1",
                "cast_at": cast_at,
                "is_flagged": "false",
                "is_excluded": "false",
                "exclusion_reason": "''",
                "withdrawn_at": "NULL",
            },
            source,
        )

    def organisations_and_projects(self) -> list[int]:
        import random

        from django.utils import timezone

        from charity import credit_codes
        from charity.models import (
            Organisation,
            OrganisationStatus,
            PactSignature,
            PactVersion,
            Project,
            ProjectStatus,
        )

        chooser = random.Random(self.seed)  # noqa: S311  repeatable data, not secrets
        now = timezone.now()
        organisations = []
        for index in range(self.sizes["organisations"]):
            code, _name = DISTRICTS[index % 12]
            first = f"53{code}MJ{index:07d}"[:17]
            organisations.append(
                Organisation(
                    name=f"温州{DISTRICTS[index % 12][1]}公益服务中心 {index + 1}",
                    credit_code=first + credit_codes.check_character(first),
                    registering_authority="温州市民政局",
                    district=code,
                    contact_name="联系人",
                    contact_phone="057788000000",
                    fundraising_certificate=f"BENCH-CERT-{index + 1}",
                    fundraising_valid_from=date(2020, 1, 1),
                    fundraising_valid_until=date(2030, 12, 31),
                    status=OrganisationStatus.VERIFIED,
                    verified_at=now,
                    status_changed_at=now,
                )
            )
        organisations = Organisation.objects.bulk_create(organisations)
        pact, _ = PactVersion.objects.get_or_create(
            number=1, defaults={"text": "自律公约全文。", "published_at": now}
        )
        PactSignature.objects.bulk_create(
            PactSignature(
                organisation=o,
                version=pact,
                signer_name="负责人",
                signer_title="理事长",
                signed_at=now,
            )
            for o in organisations
        )
        start = self.period_start().date()
        days = (timezone.localdate(self.now) - start).days
        statuses = [ProjectStatus.FUNDRAISING] * 6 + [ProjectStatus.COMPLETED] * 3
        statuses += [ProjectStatus.CLOSED]
        projects = []
        for index in range(self.sizes["projects"]):
            organisation = organisations[index % len(organisations)]
            starts = start + timedelta(days=chooser.randrange(max(days - 30, 1)))
            projects.append(
                Project(
                    organisation=organisation,
                    title=f"{SUBJECTS[index % len(SUBJECTS)]}关爱行动 {index + 1}",
                    summary="为困难群众提供帮助的公益项目。",
                    district=organisation.district,
                    cause=CAUSES[index % len(CAUSES)],
                    beneficiaries="困难群众",
                    target_fen=chooser.randrange(10_000, 500_000) * 100,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=180),
                    is_public_fundraising=True,
                    filing_number=f"BENCH-FILE-{index + 1}",
                    filed_on=starts - timedelta(days=15),
                    donation_channel="own",
                    payment_provider="simulated",
                    surplus_rule="return",
                    status=statuses[index % len(statuses)],
                    reviewed_at=now,
                    published_at=now,
                )
            )
        projects = Project.objects.bulk_create(projects)
        self.counts["charity_organisation"] = len(organisations)
        self.counts["charity_project"] = len(projects)
        return [p.pk for p in projects]

    def donations(self, project_ids: list[int]) -> None:
        from charity.models import Donation, LedgerEntry

        projects = sql_int_array(project_ids)
        source = f"""
            (SELECT x.g, x.h_amount, p.id AS project_id,
                    LEAST((p.starts_on::timestamp AT TIME ZONE 'Asia/Shanghai')
                          + (mod(x.h_time, 180 * 86400)) * interval '1 second',
                          '{self.now.isoformat()}'::timestamptz - interval '1 hour') AS t
             FROM (SELECT g, {self.h(51)} AS h_amount, {self.h(52)} AS h_time,
                          ({projects})[1 + mod({self.h(53)}, {len(project_ids)})] AS project_id
                   FROM generate_series(1, {self.sizes["donations"]}) AS g) AS x
             JOIN charity_project AS p ON p.id = x.project_id) AS s
        """  # noqa: S608  our own constants and numbers, no outside input
        self.insert_select(
            Donation,
            {
                "id": "s.g",
                "reference": "'BENCH' || lpad(s.g::text, 12, '0')",
                "project_id": "s.project_id",
                "channel": "'own'",
                "amount_fen": "100 * (1 + mod(s.h_amount, 500))",
                "donor_name": "CASE WHEN mod(s.h_amount, 3) = 0 THEN '爱心人士' ELSE '' END",
                "message": "''",
                "message_status": "'none'",
                "contact": "''",
                "donor_key": f"md5('{self.seed}:donor:' || mod(s.h_amount / 7, {max(self.sizes['donations'] // 3, 1)}))",
                "status": "'paid'",
                "created_at": "s.t",
                "expires_at": "s.t + interval '15 minutes'",
                "paid_at": "s.t + interval '1 minute'",
                "refunded_at": "NULL",
                "provider": "'simulated'",
                "transaction_id": "'BENCH-TX-' || s.g",
                "refund_id": "''",
                "platform_import_id": "NULL",
                "platform_row_id": "''",
                "allocated_fen": "0",
            },
            source,
        )
        self.insert_select(
            LedgerEntry,
            {
                "project_id": "d.project_id",
                "kind": "'donation'",
                "amount_fen": "d.amount_fen",
                "balance_after_fen": (
                    "sum(d.amount_fen) OVER (PARTITION BY d.project_id ORDER BY d.paid_at, d.id)"
                ),
                "donation_id": "d.id",
                "disbursement_id": "NULL",
                "recorded_at": "d.paid_at",
            },
            "charity_donation AS d WHERE d.status = 'paid'",
        )
        self.execute(
            """
            UPDATE charity_project AS p SET raised_fen = t.total
            FROM (SELECT project_id, sum(amount_fen) AS total FROM charity_donation
                  WHERE status = 'paid' GROUP BY project_id) AS t
            WHERE t.project_id = p.id
            """
        )
