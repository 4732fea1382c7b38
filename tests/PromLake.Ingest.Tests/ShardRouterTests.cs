using CsCheck;
using PromLake.Ingest.Sharding;

namespace PromLake.Ingest.Tests;

public class ShardRouterTests
{
    private readonly ShardRouter _router = new(16, ["__replica__", "prometheus_replica"]);

    [Fact]
    public void Replicas_of_an_ha_pair_land_in_the_same_shard()
    {
        Gen.Select(Gen.String.AlphaNumeric, Gen.String.AlphaNumeric, Gen.String.AlphaNumeric).Sample(t =>
        {
            var (metric, a, b) = t;
            var scratch = Array.Empty<byte>();
            var (bodyA, labelsA) = SeriesValidatorTests.Series("__name__", "m" + metric, "__replica__", "a" + a, "job", "node");
            var (bodyB, labelsB) = SeriesValidatorTests.Series("__name__", "m" + metric, "__replica__", "b" + b, "job", "node");
            var (bodyC, labelsC) = SeriesValidatorTests.Series("__name__", "m" + metric, "job", "node");

            var shard = _router.ShardOf("t"u8, bodyA, labelsA, ref scratch);
            Assert.Equal(shard, _router.ShardOf("t"u8, bodyB, labelsB, ref scratch));
            Assert.Equal(shard, _router.ShardOf("t"u8, bodyC, labelsC, ref scratch));
        });
    }

    [Fact]
    public void Spreads_series_over_every_shard_and_keeps_tenants_apart()
    {
        var scratch = Array.Empty<byte>();
        var counts = new int[16];
        var differ = 0;
        for (var i = 0; i < 16_000; i++)
        {
            var (body, labels) = SeriesValidatorTests.Series("__name__", "node_cpu_seconds_total", "cpu", i.ToString(), "instance", "host:9100");
            var a = _router.ShardOf("tenant-a"u8, body, labels, ref scratch);
            counts[a]++;
            differ += a != _router.ShardOf("tenant-b"u8, body, labels, ref scratch) ? 1 : 0;
        }

        // 1,000 expected per shard; the bound is loose enough to never flake for a good hash.
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
        Assert.InRange(differ, 14_000, 16_000);
    }

    [Fact]
    public void Metadata_of_a_family_goes_where_its_bare_metric_name_goes()
    {
        var scratch = Array.Empty<byte>();
        var (body, labels) = SeriesValidatorTests.Series("__name__", "up");

        Assert.Equal(_router.ShardOf("t"u8, body, labels, ref scratch), _router.ShardOfMetricFamily("t"u8, "up"u8, ref scratch));
    }
}
