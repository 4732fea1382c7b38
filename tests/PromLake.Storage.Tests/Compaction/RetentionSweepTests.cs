using Microsoft.Extensions.Logging.Abstractions;
using PromLake.Log.Tests.Blobs;
using PromLake.Storage.Compaction;
using static PromLake.Storage.Tests.Compaction.ShardLogHarness;

namespace PromLake.Storage.Tests.Compaction;

[Collection(AzuriteCollection.Name)]
public sealed class RetentionSweepTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Deletes_whole_days_past_the_tenants_retention_and_only_them()
    {
        var container = azurite.NewContainer();
        await container.CreateAsync();
        await using var store = new ShardLogHarness(container);
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        // 30 days back from now is 2026-10-26 12:00: 2026-10-25 is entirely past it, 2026-10-26 only partly.
        var up = SeriesLabels("up", ("job", "a"));
        long At(int month, int day, int hour) => new DateTimeOffset(2026, month, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await store.WriteBlockAsync(
            new Written(up, At(9, 30, 1), 1),
            new Written(up, At(10, 25, 23), 2),
            new Written(up, At(10, 26, 0), 3),
            new Written(up, At(11, 25, 11), 4));
        var clock = new ManualClock(now);
        await store.Merges(clock).RunAsync(await store.CommittedAsync(), default); // day blocks in the old days

        var retention = new TenantRetention(defaultDays: 1, new Dictionary<string, int> { [Tenant] = 30 });
        var deleted = await new RetentionSweep(container, retention, clock, NullLogger.Instance).RunAsync(default);

        Assert.Equal(["t1/2026/09/30/", "t1/2026/10/25/"], deleted);
        var left = await store.BlobNamesAsync();
        Assert.DoesNotContain(left, n => n.StartsWith("t1/2026/09/", StringComparison.Ordinal) || n.StartsWith("t1/2026/10/25/", StringComparison.Ordinal));
        Assert.Contains(left, n => n.StartsWith("t1/2026/10/26/", StringComparison.Ordinal));
        Assert.Contains(left, n => n.StartsWith("t1/2026/11/25/11/", StringComparison.Ordinal));
        Assert.Empty(await new RetentionSweep(container, retention, clock, NullLogger.Instance).RunAsync(default));
    }
}
