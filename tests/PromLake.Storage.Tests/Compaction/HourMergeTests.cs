using PromLake.Log.Tests.Blobs;
using PromLake.Storage.Compaction;
using PromLake.Storage.Series;
using static PromLake.Storage.Tests.Compaction.ShardLogHarness;

namespace PromLake.Storage.Tests.Compaction;

[Collection(AzuriteCollection.Name)]
public sealed class HourMergeTests(AzuriteFixture azurite) : ShardStoreTest(azurite)
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly long H = Hour.ToUnixTimeMilliseconds();
    private static readonly double StaleMarker = BitConverter.UInt64BitsToDouble(0x7ff0000000000002);

    [Fact]
    public async Task Merges_an_hour_only_once_it_is_over_plus_the_grace_period()
    {
        await Store.WriteBlockAsync(new Written(SeriesLabels("up", ("job", "a")), H + 1000, 1));
        var clock = new ManualClock(Hour.AddHours(1) + Store.Options.HourMergeGrace - TimeSpan.FromMilliseconds(1));

        Assert.Empty(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));
        clock.Now += TimeSpan.FromMilliseconds(1);
        var merged = Assert.Single(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));

        Assert.Equal(BlockLevel.Hour, merged.Level);
        Assert.Equal([merged.Name], await Store.BlobNamesAsync());
        Assert.StartsWith("t1/2026/11/02/10/h-s000-", merged.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keeps_one_sample_per_series_and_timestamp_the_last_written_winning_and_stale_markers_bit_for_bit()
    {
        var up = SeriesLabels("up", ("job", "a"));
        await Store.WriteBlockAsync(new Written(up, H + 1000, 1), new Written(up, H + 2000, 2));
        await Store.WriteBlockAsync(new Written(up, H + 2000, 20), new Written(up, H + 3000, 3), new Written(up, H + 4000, StaleMarker));
        await Store.WriteBlockAsync(new Written(up, H + 3000, 3));

        var merged = Assert.Single(await Store.Merges(new ManualClock(Hour.AddHours(2))).RunAsync(await Store.CommittedAsync(), default));

        var series = Assert.Single(await Store.ReadBlockAsync(merged.Name));
        Assert.Equal(up, series.Labels);
        Assert.Equal([H + 1000, H + 2000, H + 3000, H + 4000], series.Samples.Select(s => s.Timestamp));
        Assert.Equal([1d, 20d, 3d], series.Samples.Take(3).Select(s => s.Value));
        Assert.Equal(0x7ff0000000000002UL, BitConverter.DoubleToUInt64Bits(series.Samples[3].Value));
        Assert.Equal([merged.Name], await Store.BlobNamesAsync());
    }

    [Fact]
    public async Task Merges_HA_replicas_into_one_series_without_the_replica_label_switching_only_at_a_gap()
    {
        // Replica a scrapes 0-50 s, replica b 1 ms later from 0 to 100 s: follow a, switch to b after a's gap.
        var a = SeriesLabels("up", ("__replica__", "a"), ("job", "node"));
        var b = SeriesLabels("up", ("__replica__", "b"), ("job", "node"));
        await Store.WriteBlockAsync([.. Enumerable.Range(0, 6).Select(i => new Written(a, H + (i * 10_000), 1))]);
        await Store.WriteBlockAsync([.. Enumerable.Range(0, 11).Select(i => new Written(b, H + (i * 10_000) + 1, 2))]);
        var level0 = await Store.BlobNamesAsync();
        Assert.All(level0, name => Assert.Contains("/l0-", name, StringComparison.Ordinal));
        Assert.Equal(2, (await Task.WhenAll(level0.Select(Store.ReadBlockAsync))).Sum(s => s.Count(x => x.Labels.Any(l => l.Name == "__replica__"))));

        var merged = Assert.Single(await Store.Merges(new ManualClock(Hour.AddHours(2))).RunAsync(await Store.CommittedAsync(), default));

        var series = Assert.Single(await Store.ReadBlockAsync(merged.Name));
        Assert.Equal(SeriesLabels("up", ("job", "node")), series.Labels);
        long[] expected = [H, H + 10_000, H + 20_000, H + 30_000, H + 40_000, H + 50_000, H + 70_001, H + 80_001, H + 90_001, H + 100_001];
        Assert.Equal(expected, series.Samples.Select(s => s.Timestamp));
        Assert.Equal([1d, 1, 1, 1, 1, 1, 2, 2, 2, 2], series.Samples.Select(s => s.Value));
    }

    [Fact]
    public async Task Leaves_level0_blocks_at_or_past_the_committed_checkpoint_for_a_later_merge()
    {
        await Store.WriteBlockAsync(new Written(SeriesLabels("up", ("job", "a")), H + 1000, 1));
        await Store.WriteBlockAsync(new Written(SeriesLabels("up", ("job", "a")), H + 2000, 2));
        var blocks = (await Store.BlobNamesAsync()).Select(Parse).OrderBy(b => b.FirstPosition).ToList();
        var clock = new ManualClock(Hour.AddHours(2));

        // As if the second flush had written its block but not yet committed.
        var first = Assert.Single(await Store.Merges(clock).RunAsync(new Dictionary<int, long> { [0] = blocks[1].LastPosition }, default));
        Assert.Equal((blocks[0].FirstPosition, blocks[0].LastPosition), (first.FirstPosition, first.LastPosition));
        Assert.Equal([first.Name, blocks[1].Name], (await Store.BlobNamesAsync()).Order(StringComparer.Ordinal));

        var second = Assert.Single(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));
        Assert.Equal((blocks[0].FirstPosition, blocks[1].LastPosition), (second.FirstPosition, second.LastPosition));
        Assert.Equal([second.Name], await Store.BlobNamesAsync());
        Assert.Equal([H + 1000, H + 2000], Assert.Single(await Store.ReadBlockAsync(second.Name)).Samples.Select(s => s.Timestamp));
    }

    [Fact]
    public async Task Merges_late_samples_again_together_with_the_earlier_hour_block()
    {
        var up = SeriesLabels("up", ("job", "a"));
        await Store.WriteBlockAsync(new Written(up, H + 1000, 1), new Written(up, H + 2000, 2));
        var clock = new ManualClock(Hour.AddHours(2));
        var earlier = Assert.Single(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));

        // A late sender: a new level-0 block in the merged hour, and one repeating a merged sample with a new value.
        await Store.WriteBlockAsync(new Written(up, H + 1500, 15), new Written(up, H + 2000, 22));
        Assert.Equal(2, (await Store.BlobNamesAsync()).Count);
        var later = Assert.Single(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));

        Assert.Equal(earlier.FirstPosition, later.FirstPosition);
        Assert.True(later.LastPosition > earlier.LastPosition);
        Assert.Equal([later.Name], await Store.BlobNamesAsync());
        var series = Assert.Single(await Store.ReadBlockAsync(later.Name));
        Assert.Equal([(H + 1000, 1d), (H + 1500, 15), (H + 2000, 22)], series.Samples.Select(s => (s.Timestamp, s.Value)));
    }

    private static BlockRef Parse(string name) => BlockRef.TryParse(name, "", out var block) ? block : throw new InvalidOperationException(name);
}
