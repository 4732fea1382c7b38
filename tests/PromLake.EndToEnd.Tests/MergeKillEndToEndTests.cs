using System.Net;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using DuckDB.NET.Data;
using PromLake.Log.Tests.Blobs;
using PromLake.Storage.Compaction;

namespace PromLake.EndToEnd.Tests;

/// <summary>
/// The standalone server killed (SIGKILL) in the middle of a merge, end to end: remote write → log → level-0
/// blocks → the server's own background merges → queries over HTTP. A merge is held between its steps without a
/// test hook in the server: a blob lease on one of its sources makes that source's delete fail, so the merge
/// stops after writing its block (and after deleting the sources before it), exactly where a kill would stop it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MergeKillEndToEndTests(AzuriteFixture azurite) : TemporaryDirectory
{
    private const string Metric = "merge_kill_metric";
    private const int Series = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_server_killed_in_the_middle_of_a_merge_loses_and_duplicates_nothing_and_finishes_the_merge_after_restart()
    {
        var container = azurite.NewContainer();
        var data = Path.Combine(TestDirectory, "server");
        // Two hours back: an hour over (plus its grace) that the background merges will take, and its day not.
        var hour = BlockLayout.HourOf(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) - (2 * BlockLayout.HourMs);
        var at = (hour / 1000.0) + 1800;
        Dictionary<int, List<BlockRef>> level0;

        // 1. Three flushes, each its own level-0 block per shard: samples at two instants, the first sent twice.
        await using (var server = await StandaloneServer.StartAsync(data, Settings(container, TimeSpan.FromHours(1))))
        {
            using var client = new RemoteWriteClient(server.Url);
            long[] sends = [hour + 60_000, hour + 120_000, hour + 60_000];
            for (var i = 0; i < sends.Length; i++)
            {
                Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(RemoteWriteClient.Request(Series, sends[i], Metric))).StatusCode);
                var flushes = i + 1;
                // The 20 series hash to every shard (the hash is fixed), and each shard flushes on its own clock.
                await UntilAsync(container, b => b.Count == StandaloneServer.ShardCount && b.Values.All(s => s.Count == flushes), "each shard's level-0 block of flush " + flushes);
            }

            AssertExpected(await QueryAsync(server, at));
            await server.StopAsync();
            level0 = await BlocksAsync(container);
        }

        // 2. Hold two shards' merges: one before it deletes any source, one after it deleted its first.
        var (stuckBeforeDeleting, stuckAfterOne) = (level0.Keys.Order().First(), level0.Keys.Order().Skip(1).First());
        var leases = new List<BlobLeaseClient>
        {
            container.GetBlobClient(level0[stuckBeforeDeleting][0].Name).GetBlobLeaseClient(),
            container.GetBlobClient(level0[stuckAfterOne][1].Name).GetBlobLeaseClient(),
        };
        foreach (var lease in leases)
        {
            await lease.AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration);
        }

        var stuck = await StandaloneServer.StartAsync(data, Settings(container, TimeSpan.FromSeconds(1)));
        try
        {
            await UntilAsync(container, b => b.All(s => s.Value.Count(x => x.Level == BlockLevel.Hour) == 1)
                && b[stuckBeforeDeleting].Count == 4 && b[stuckAfterOne].Count == 3
                && b.Where(s => s.Key != stuckBeforeDeleting && s.Key != stuckAfterOne).All(s => s.Value.Count == 1), "the merges stuck half way");
            AssertExpected(await QueryAsync(stuck, at));
        }
        finally
        {
            // 3. Killed there (SIGKILL), then the sources let go.
            await stuck.DisposeAsync();
            foreach (var lease in leases)
            {
                await lease.ReleaseAsync();
            }
        }

        // 4. Restarted: right away and once converged, the same answer; then one hour block per shard.
        await using (var server = await StandaloneServer.StartAsync(data, Settings(container, TimeSpan.FromSeconds(1))))
        {
            AssertExpected(await QueryAsync(server, at));
            await UntilAsync(container, b => b.Count == level0.Count && b.Values.All(s => s.Count == 1 && s[0].Level == BlockLevel.Hour), "one hour block per shard");
            AssertExpected(await QueryAsync(server, at));
        }

        var (rows, distinct) = await DuckDbCountsAsync(container);
        Assert.Equal(2 * Series, rows);
        Assert.Equal(rows, distinct);
    }

    private Dictionary<string, string> Settings(BlobContainerClient container, TimeSpan mergeInterval) => new()
    {
        ["PromLake__Storage__ConnectionString"] = azurite.ConnectionString,
        ["PromLake__Storage__ContainerName"] = container.Name,
        ["PromLake__Compactor__FlushInterval"] = "00:00:01",
        ["PromLake__Compactor__MergeInterval"] = mergeInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["PromLake__Compactor__DayMergeGrace"] = "7.00:00:00",
    };

    private static void AssertExpected(Dictionary<string, double> counts)
    {
        Assert.Equal(Series, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(2, c));
    }

    private static async Task<Dictionary<string, double>> QueryAsync(StandaloneServer server, double at)
    {
        using var queries = new PromLakeQueryClient(server.Url);
        return await queries.VectorAsync($"count_over_time({Metric}[1h])", at);
    }

    /// <summary>The container's blocks by shard, in log order.</summary>
    private static async Task<Dictionary<int, List<BlockRef>>> BlocksAsync(BlobContainerClient container)
    {
        var blocks = new Dictionary<int, List<BlockRef>>();
        if (!await container.ExistsAsync())
        {
            return blocks;
        }

        await foreach (var blob in container.GetBlobsAsync())
        {
            if (BlockRef.TryParse(blob.Name, "", out var block))
            {
                (blocks.TryGetValue(block.Shard, out var list) ? list : blocks[block.Shard] = []).Add(block);
            }
        }

        foreach (var list in blocks.Values)
        {
            list.Sort(BlockRef.CompareLogOrder);
        }

        return blocks;
    }

    /// <summary>Polls the container until <paramref name="condition"/> holds; fails naming what it waited for after <see cref="Patience"/>.</summary>
    private static async Task UntilAsync(BlobContainerClient container, Func<Dictionary<int, List<BlockRef>>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var blocks = await BlocksAsync(container);
            if (blocks.Count > 0 && condition(blocks))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"waited {Patience} for {what}; blocks: {string.Join(", ", blocks.Values.SelectMany(b => b).Select(b => b.Name))}");
            await Task.Delay(200);
        }
    }

    /// <summary>Samples and distinct (series, timestamp) pairs, by plain SQL over every blob left.</summary>
    private async Task<(long Rows, long Distinct)> DuckDbCountsAsync(BlobContainerClient container)
    {
        var folder = Path.Combine(TestDirectory, "blocks");
        Directory.CreateDirectory(folder);
        var i = 0;
        await foreach (var blob in container.GetBlobsAsync())
        {
            await container.GetBlobClient(blob.Name).DownloadToAsync(Path.Combine(folder, $"{i++}.parquet"));
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT count(*), count(DISTINCT (labels, s.timestamp))
            FROM (SELECT labels, unnest(samples) AS s FROM read_parquet('{folder}/*.parquet') WHERE metric_name = '{Metric}')
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
