using DuckDB.NET.Data;
using PromLake.Log.Tests.Blobs;
using PromLake.Query.Model;
using PromLake.Query.Storage;
using PromLake.Query.Store;
using PromLake.Storage.Compaction;
using PromLake.Storage.Tests.Compaction;
using static PromLake.Storage.Tests.Compaction.ShardLogHarness;
using Written = PromLake.Storage.Tests.Compaction.Written;

namespace PromLake.EndToEnd.Tests;

/// <summary>
/// Merges seen through the query path: whatever state a merge is in (running, finished, or killed half way), a
/// query returns every sample exactly once, the same as before the merge.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MergeQueryTests(AzuriteFixture azurite) : TemporaryDirectory
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly long D = Day.ToUnixTimeMilliseconds();
    private static readonly long H = D + (10 * BlockLayout.HourMs);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Killed_in_the_middle_of_a_merge_the_compactor_loses_and_duplicates_nothing_and_converges_after_restart(int sourcesDeletedBeforeTheKill)
    {
        await using var store = await StoreAsync();
        await WriteHourWithRepeatsAndReplicasAsync(store);
        var expected = await QueryAsync(store, H, H + BlockLayout.HourMs - 1);
        var clock = new ManualClock(Day.AddHours(12));

        // The merged block is written, then the process dies after deleting this many of its three sources.
        var killing = new BlockMerge(store.Container, store.Options.ReplicaLabels)
        {
            OnProgress = (_, deleted) => deleted == sourcesDeletedBeforeTheKill ? throw new ProcessKilled() : Task.CompletedTask,
        };
        await Assert.ThrowsAsync<ProcessKilled>(async () => await store.Merges(clock, killing).RunAsync(await store.CommittedAsync(), default));
        Assert.Equal(4 - sourcesDeletedBeforeTheKill, (await store.BlobNamesAsync()).Count);
        AssertSameResult(expected, await QueryAsync(store, H, H + BlockLayout.HourMs - 1));

        // Restarted: the next pass finishes the merge.
        await store.Merges(clock).RunAsync(await store.CommittedAsync(), default);

        var blob = Assert.Single(await store.BlobNamesAsync());
        Assert.Matches(@"^t1/2026/11/02/10/h-s000-\d{20}-\d{20}\.parquet$", blob);
        AssertSameResult(expected, await QueryAsync(store, H, H + BlockLayout.HourMs - 1));
        var (rows, distinct, replicaLabelled) = await DuckDbCountsAsync(store, blob);
        Assert.Equal(expected.Sum(s => s.Samples.Count), rows);
        Assert.Equal(rows, distinct);
        Assert.Equal(0, replicaLabelled);
    }

    [Fact]
    public async Task A_query_returns_exactly_the_expected_samples_at_every_step_of_hour_and_day_merges_and_while_they_run()
    {
        await using var store = await StoreAsync();
        var up = SeriesLabels("up", ("job", "a"));
        for (var block = 0; block < 8; block++)
        {
            // Eight flushes over three hours, each repeating the previous flush's last sample.
            var hour = D + ((block % 3) * BlockLayout.HourMs);
            await store.WriteBlockAsync([.. Enumerable.Range(0, 5).Select(i => new Written(up, hour + (block * 10_000) + (i * 1000) - (i == 0 && block > 2 ? 1000 : 0), block))]);
        }

        var expected = await QueryAsync(store, D, D + BlockLayout.DayMs - 1);
        Assert.True(expected.Single().Samples.Count > 30);
        var checks = 0;
        var merge = new BlockMerge(store.Container, store.Options.ReplicaLabels)
        {
            // Every intermediate state a merge goes through: block written, then each source deleted.
            OnProgress = async (_, _) =>
            {
                AssertSameResult(expected, await QueryAsync(store, D, D + BlockLayout.DayMs - 1));
                checks++;
            },
        };

        using var merging = new CancellationTokenSource();
        var queries = Task.Run(async () =>
        {
            var loops = 0;
            while (!merging.IsCancellationRequested || loops < 3)
            {
                AssertSameResult(expected, await QueryAsync(store, D, D + BlockLayout.DayMs - 1));
                loops++;
            }

            return loops;
        });
        var clock = new ManualClock(Day.AddHours(4));
        var hours = await store.Merges(clock, merge).RunAsync(await store.CommittedAsync(), default);
        clock.Now = Day.AddDays(2);
        var days = await store.Merges(clock, merge).RunAsync(await store.CommittedAsync(), default);
        await merging.CancelAsync();

        Assert.True(await queries >= 3);
        Assert.Equal(3, hours.Count);
        Assert.Equal(BlockLevel.Day, Assert.Single(days).Level);
        Assert.Equal((3 + 8) + (1 + 3), checks); // hour merges: 3 blocks written, 8 sources deleted; day merge: 1 written, 3 deleted
        Assert.Single(await store.BlobNamesAsync());
        AssertSameResult(expected, await QueryAsync(store, D, D + BlockLayout.DayMs - 1));
    }

    private async Task<ShardLogHarness> StoreAsync()
    {
        var container = azurite.NewContainer();
        await container.CreateAsync();
        return new ShardLogHarness(container);
    }

    /// <summary>Three flushes of one hour: exact repeats, a repeat with a new value, and an HA pair.</summary>
    private static async Task WriteHourWithRepeatsAndReplicasAsync(ShardLogHarness store)
    {
        var up = SeriesLabels("up", ("job", "a"));
        var a = SeriesLabels("load", ("__replica__", "a"), ("job", "node"));
        var b = SeriesLabels("load", ("__replica__", "b"), ("job", "node"));
        await store.WriteBlockAsync([new Written(up, H + 1000, 1), new Written(up, H + 2000, 2), .. Enumerable.Range(0, 4).Select(i => new Written(a, H + (i * 15_000), 10 + i))]);
        await store.WriteBlockAsync([new Written(up, H + 2000, 2), new Written(up, H + 3000, 3), .. Enumerable.Range(0, 8).Select(i => new Written(b, H + (i * 15_000) + 7, 20 + i))]);
        await store.WriteBlockAsync(new Written(up, H + 3000, 33), new Written(up, H + 4000, 4), new Written(a, H + 200_000, 99));
    }

    private static async Task<IReadOnlyList<StoredSeries>> QueryAsync(ShardLogHarness store, long minT, long maxT)
    {
        var querier = new BlockStoreQuerier(Tenant, store.Container, store.Log, store.Checkpoints, store.Options.Consumer, store.Options.ReplicaLabels, new BlockCache());
        var result = await querier.SelectAsync(new SelectRequest([new LabelMatcher(MatcherType.Regexp, "__name__", ".+")], minT, maxT));
        return [.. result.OrderBy(s => s.Labels.ToString(), StringComparer.Ordinal)];
    }

    private static void AssertSameResult(IReadOnlyList<StoredSeries> expected, IReadOnlyList<StoredSeries> actual)
    {
        Assert.Equal(expected.Select(s => s.Labels.ToString()), actual.Select(s => s.Labels.ToString()));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Samples.Select(s => (s.T, BitConverter.DoubleToInt64Bits(s.F))), actual[i].Samples.Select(s => (s.T, BitConverter.DoubleToInt64Bits(s.F))));
        }
    }

    /// <summary>Samples, distinct (series, timestamp) pairs, and samples of series with a replica label, by plain SQL over the blob.</summary>
    private async Task<(long Rows, long Distinct, long ReplicaLabelled)> DuckDbCountsAsync(ShardLogHarness store, string blob)
    {
        var path = Path.Combine(TestDirectory, "block.parquet");
        await store.Container.GetBlobClient(blob).DownloadToAsync(path);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT count(*), count(DISTINCT (metric_name, labels, s.timestamp)), count(*) FILTER (WHERE labels['__replica__'] IS NOT NULL)
            FROM (SELECT metric_name, labels, unnest(samples) AS s FROM read_parquet('{path}'))
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private sealed class ProcessKilled : Exception;
}
