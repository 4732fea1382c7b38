using PromLake.Log.Tests.Blobs;
using PromLake.Storage.Compaction;
using static PromLake.Storage.Tests.Compaction.ShardLogHarness;

namespace PromLake.Storage.Tests.Compaction;

[Collection(AzuriteCollection.Name)]
public sealed class DayMergeTests(AzuriteFixture azurite) : ShardStoreTest(azurite)
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly long D = Day.ToUnixTimeMilliseconds();

    [Fact]
    public async Task Merges_a_closed_day_of_hour_blocks_and_level0_stragglers_into_one_day_block_in_the_day_folder()
    {
        var up = SeriesLabels("up", ("job", "a"));
        var replicated = SeriesLabels("load", ("__replica__", "r1"), ("job", "a"));
        await Store.WriteBlockAsync(new Written(up, D + 1000, 1), new Written(up, D + (5 * 3_600_000), 5));
        var clock = new ManualClock(Day.AddHours(12));
        var hours = await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default);
        Assert.Equal([BlockLevel.Hour, BlockLevel.Hour], hours.Select(b => b.Level));

        clock.Now = Day.AddDays(1) + Store.Options.DayMergeGrace - TimeSpan.FromMilliseconds(1);
        Assert.Empty(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));

        // A straggler in hour 23 arriving as the day's grace ends, so still level 0, with a replica label.
        await Store.WriteBlockAsync(new Written(up, D + (23 * 3_600_000) + 59_000, 23), new Written(replicated, D + (23 * 3_600_000), 7));
        clock.Now += TimeSpan.FromMilliseconds(1);
        var day = Assert.Single(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));

        Assert.Equal(BlockLevel.Day, day.Level);
        Assert.Equal([day.Name], await Store.BlobNamesAsync());
        Assert.StartsWith("t1/2026/11/02/d-s000-", day.Name, StringComparison.Ordinal);
        Assert.Equal(hours.Min(h => h.FirstPosition), day.FirstPosition);
        var series = (await Store.ReadBlockAsync(day.Name)).ToDictionary(s => s.MetricName);
        Assert.Equal([(D + 1000, 1d), (D + (5 * 3_600_000), 5), (D + (23 * 3_600_000) + 59_000, 23)], series["up"].Samples.Select(s => (s.Timestamp, s.Value)));
        Assert.Equal(SeriesLabels("load", ("job", "a")), series["load"].Labels);
    }

    [Fact]
    public async Task Merges_late_samples_into_a_new_day_block_that_includes_the_previous_one()
    {
        var up = SeriesLabels("up", ("job", "a"));
        await Store.WriteBlockAsync(new Written(up, D + 1000, 1));
        var clock = new ManualClock(Day.AddDays(2));
        var earlier = Assert.Single(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));

        await Store.WriteBlockAsync(new Written(up, D + (7 * 3_600_000), 7));
        var later = Assert.Single(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));

        Assert.Equal(BlockLevel.Day, later.Level);
        Assert.Equal(earlier.FirstPosition, later.FirstPosition);
        Assert.Equal([later.Name], await Store.BlobNamesAsync());
        Assert.Equal([D + 1000, D + (7 * 3_600_000)], Assert.Single(await Store.ReadBlockAsync(later.Name)).Samples.Select(s => s.Timestamp));
        Assert.Empty(await Store.Merges(clock).RunAsync(await Store.CommittedAsync(), default));
    }
}
