"""The shape of the index API's output: a snapshot as stored (and as the JSON download)."""

from rest_framework import serializers


class RobustnessSerializer(serializers.Serializer):
    """Where the rank lands when the weights are shaken (see the methodology page)."""

    rank_configured = serializers.IntegerField()
    rank_equal_weights = serializers.IntegerField()
    rank_min = serializers.IntegerField()
    rank_max = serializers.IntegerField()
    rank_median = serializers.FloatField()


class IndicatorResultSerializer(serializers.Serializer):
    raw = serializers.FloatField(allow_null=True, help_text="The measured value; null if none.")
    cases = serializers.IntegerField(allow_null=True, help_text="Cases behind a rate.")
    updated = serializers.DateTimeField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="0–100 after normalisation.")


class UnitResultSerializer(serializers.Serializer):
    name = serializers.CharField(
        required=False,
        help_text="Older snapshots only (a Chinese name); translate the district code instead.",
    )
    overall = serializers.FloatField(allow_null=True, help_text="Null if too much is missing.")
    rank = serializers.IntegerField(allow_null=True)
    improvement_rank = serializers.IntegerField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="Against the previous month.")
    dimensions = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="Score per dimension code."
    )
    indicators = serializers.DictField(
        child=IndicatorResultSerializer(), help_text="Per indicator code."
    )
    flags = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text=(
            "[kind, detail, Chinese name, English name]; detail is an indicator or dimension "
            "code, or the missing share for insufficient_data."
        ),
    )
    robustness = RobustnessSerializer(allow_null=True)


class CityResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    overall = serializers.FloatField(allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))


class SnapshotResultsSerializer(serializers.Serializer):
    units = serializers.DictField(child=UnitResultSerializer(), help_text="Per district code.")
    city = CityResultSerializer()


class SnapshotSerializer(serializers.Serializer):
    """One stored computation of one month: what the JSON download holds too."""

    period = serializers.CharField(help_text="YYYY-MM")
    version = serializers.IntegerField()
    published = serializers.BooleanField()
    computed_at = serializers.DateTimeField()
    stale = serializers.BooleanField(help_text="The method changed after this computation.")
    city_score = serializers.FloatField(allow_null=True)
    method = serializers.JSONField(
        help_text="The method as used: dimensions, indicators, goalposts, weights."
    )
    results = SnapshotResultsSerializer()
