using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Tests;

public class RowGroupPruningTests
{
    [Fact]
    public void A_query_for_one_metric_reads_only_the_row_groups_whose_name_range_holds_it()
    {
        var series = DuckDbQueryTests.NodeSeries(hosts: 6, samplesPerSeries: 50);
        var block = BlockAssert.Write(series, new SampleBlockWriterOptions { RowGroupTargetElements = 300 });

        var read = BlockAssert.Read(block, new BlockQuery { MetricName = "node_load1" });

        Assert.True(read.RowGroupsSkipped > 0, "some row groups are skipped");
        Assert.True(read.RowGroupsRead < 3, $"read {read.RowGroupsRead} row groups for one metric");
        Assert.Equal(6, read.Series.Count);
        Assert.All(read.Series, s => Assert.Equal("node_load1", s.MetricName));
        Assert.All(read.Series, s => Assert.Equal(50, s.Samples.Count));
    }

    [Fact]
    public void A_metric_outside_every_row_groups_range_reads_nothing()
    {
        var block = BlockAssert.Write(DuckDbQueryTests.NodeSeries(hosts: 2, samplesPerSeries: 10));

        var read = BlockAssert.Read(block, new BlockQuery { MetricName = "zzz_not_there" });

        Assert.Equal(0, read.RowGroupsRead);
        Assert.Empty(read.Series);
    }

    [Fact]
    public void A_time_range_outside_the_block_skips_every_row_group_and_one_inside_returns_only_its_samples()
    {
        var block = BlockAssert.Write(DuckDbQueryTests.NodeSeries(hosts: 2, samplesPerSeries: 10), new SampleBlockWriterOptions { RowGroupTargetElements = 40 });

        var before = BlockAssert.Read(block, new BlockQuery { MaxTimestamp = 1_600_000_000_000 });
        var inside = BlockAssert.Read(block, new BlockQuery { MinTimestamp = 1_700_000_015_000, MaxTimestamp = 1_700_000_030_001 });

        Assert.Equal(0, before.RowGroupsRead);
        Assert.Empty(before.Series);
        Assert.Equal(10, inside.Series.Count);
        Assert.All(inside.Series, s => Assert.Equal(2, s.Samples.Count));
    }

    [Fact]
    public async Task Row_groups_expose_their_metric_name_and_time_bounds()
    {
        var block = BlockAssert.Write(DuckDbQueryTests.NodeSeries(hosts: 3, samplesPerSeries: 20), new SampleBlockWriterOptions { RowGroupTargetElements = 100 });
        using var stream = new MemoryStream(block);
        await using var reader = await SampleBlockReader.OpenAsync(stream);

        Assert.True(reader.RowGroups.Count > 1);
        Assert.All(reader.RowGroups, g =>
        {
            Assert.NotNull(g.MinMetricName);
            Assert.True(string.CompareOrdinal(g.MinMetricName, g.MaxMetricName) <= 0);
            Assert.True(g.MinTimestamp >= 1_700_000_000_000 && g.MaxTimestamp <= 1_700_000_000_000 + (19 * 15_000) + 2);
        });
    }
}
