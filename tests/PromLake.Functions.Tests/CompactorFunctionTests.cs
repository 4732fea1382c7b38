using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PromLake.Log;
using PromLake.Log.Blobs;
using PromLake.Log.Tests.Blobs;

namespace PromLake.Functions.Tests;

/// <summary>
/// The compactor's timer function against a real Azurite and the local log: data written through the write
/// function ends up in level-0 blobs with the checkpoint advanced, and shards are owned by one run at a time.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CompactorFunctionTests(AzuriteFixture azurite)
{
    private const long SampleTime = FunctionsApp.SampleTime;
    private const string Consumer = "compactor";

    /// <summary>Enough series that every one of the 4 shards gets some.</summary>
    private static (string, string, double, long)[] ManySeries(double value) =>
        [.. Enumerable.Range(0, 40).Select(i => ("up", "host-" + i.ToString(CultureInfo.InvariantCulture), value, SampleTime))];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_timer_run_writes_level_0_blobs_and_advances_the_checkpoint(bool blobCheckpoints)
    {
        await using var app = new FunctionsApp(azurite, blobCheckpoints);
        Assert.Equal(StatusCodes.Status204NoContent, await app.WriteAsync(ManySeries(7)));
        var ends = await app.LogEndsAsync();
        Assert.All(ends, e => Assert.True(e.Events > 0));

        await FunctionsApp.TickAsync(app.CompactorFunction);

        var blobs = await app.Level0BlobsAsync();
        for (var shard = 0; shard < ends.Length; shard++)
        {
            Assert.Equal(ends[shard].End, await app.Checkpoints.GetAsync(Consumer, shard));
            Assert.Contains(blobs, b => b.StartsWith("acme/2023/11/14/22/", StringComparison.Ordinal) && b.Contains($"/l0-s{shard:D3}-", StringComparison.Ordinal));
        }

        // Drained: the next tick finds nothing new and writes nothing.
        await FunctionsApp.TickAsync(app.CompactorFunction);
        Assert.Equal(blobs.Order(), (await app.Level0BlobsAsync()).Order());

        // The query function now answers from the blocks, each series once.
        var context = app.QueryRequest("GET", "/api/v1/query", $"query=count(up)&time={SampleTime / 1000}");
        await app.QueryFunctions.QueryAsync(context.Request);
        using var json = FunctionsApp.Json(context);
        Assert.Equal("40", Assert.Single(json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()).GetProperty("value")[1].GetString());
    }

    [Fact]
    public async Task A_timer_run_merges_the_hours_of_the_shards_it_holds_and_deletes_days_past_retention()
    {
        await using var app = new FunctionsApp(azurite, blobCheckpoints: true);
        Assert.Equal(StatusCodes.Status204NoContent, await app.WriteAsync(ManySeries(7)));
        await FunctionsApp.TickAsync(app.CompactorFunction);
        Assert.Equal(4, (await app.Level0BlobsAsync()).Count);

        app.Clock.Now = DateTimeOffset.FromUnixTimeMilliseconds(SampleTime).AddHours(2);
        await FunctionsApp.TickAsync(app.CompactorFunction);

        var merged = await app.BlobsAsync();
        Assert.Equal(4, merged.Count);
        Assert.All(merged, name => Assert.Matches(@"^acme/2023/11/14/22/h-s00[0-3]-\d{20}-\d{20}\.parquet$", name));
        var context = app.QueryRequest("GET", "/api/v1/query", $"query=count(up)&time={SampleTime / 1000}");
        await app.QueryFunctions.QueryAsync(context.Request);
        using (var json = FunctionsApp.Json(context))
        {
            Assert.Equal("40", Assert.Single(json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()).GetProperty("value")[1].GetString());
        }

        // 395 days (the default retention) after the end of that day, the whole day goes.
        app.Clock.Now = DateTimeOffset.FromUnixTimeMilliseconds(SampleTime).AddDays(396);
        await FunctionsApp.TickAsync(app.CompactorFunction);
        Assert.Empty(await app.BlobsAsync());
    }

    [Fact]
    public async Task A_shard_whose_lease_another_instance_holds_is_left_to_it()
    {
        await using var app = new FunctionsApp(azurite, blobCheckpoints: true);
        Assert.Equal(StatusCodes.Status204NoContent, await app.WriteAsync(ManySeries(7)));
        var ends = await app.LogEndsAsync();
        var store = Assert.IsType<BlobCheckpointStore>(app.Checkpoints);

        var other = await LeasedShardReader.TryAcquireAsync(app.Log, store, Consumer, shard: 2);
        Assert.NotNull(other);
        await using (other)
        {
            await FunctionsApp.TickAsync(app.CompactorFunction);

            var blobs = await app.Level0BlobsAsync();
            Assert.DoesNotContain(blobs, b => b.Contains("/l0-s002-", StringComparison.Ordinal));
            Assert.Null(await store.GetAsync(Consumer, 2));
            foreach (var shard in new[] { 0, 1, 3 })
            {
                Assert.Equal(ends[shard].End, await store.GetAsync(Consumer, shard));
            }
        }

        // Released: the next tick takes the shard.
        await FunctionsApp.TickAsync(app.CompactorFunction);
        Assert.Equal(ends[2].End, await store.GetAsync(Consumer, 2));
        Assert.Contains(await app.Level0BlobsAsync(), b => b.Contains("/l0-s002-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_concurrent_timer_runs_never_both_own_a_shard()
    {
        var reads = new ConcurrentQueue<(int Shard, string Run, long At)>();
        await using var app = new FunctionsApp(
            azurite,
            blobCheckpoints: true,
            // A longer drain wait keeps each owner on its shards long enough for the two runs to meet.
            new Dictionary<string, string?> { ["PromLake:Compactor:DrainWait"] = "00:00:02" },
            services => services.AddSingleton<ILogReader>(sp => new RecordingLogReader(sp.GetRequiredService<LocalFileLog>(), reads)));
        Assert.Equal(StatusCodes.Status204NoContent, await app.WriteAsync(ManySeries(7)));
        var ends = await app.LogEndsAsync();

        var (a, b) = (app.CompactorFunction, app.CompactorFunctionOfAnotherInstance());
        var runs = await Task.WhenAll(RunAsync("a", a), RunAsync("b", b));

        Assert.True(runs[0].Started < runs[1].Ended && runs[1].Started < runs[0].Ended, "the two runs did not overlap");
        for (var shard = 0; shard < ends.Length; shard++)
        {
            // Each owner reads only while it holds the lease, so two owners at once would read the shard in overlapping spans.
            var spans = reads.Where(r => r.Shard == shard).GroupBy(r => r.Run).Select(g => (Run: g.Key, From: g.Min(r => r.At), To: g.Max(r => r.At))).ToList();
            Assert.NotEmpty(spans);
            if (spans.Count == 2)
            {
                Assert.True(spans[0].To < spans[1].From || spans[1].To < spans[0].From, $"shard {shard} was read by both runs at once");
            }

            Assert.Equal(ends[shard].End, await app.Checkpoints.GetAsync(Consumer, shard));
        }

        static async Task<(long Started, long Ended)> RunAsync(string name, CompactorFunction function)
        {
            RecordingLogReader.Run.Value = name;
            var started = Stopwatch.GetTimestamp();
            await FunctionsApp.TickAsync(function);
            return (started, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Records which run (an async-local name) read which shard when.</summary>
    private sealed class RecordingLogReader(ILogReader inner, ConcurrentQueue<(int Shard, string Run, long At)> reads) : ILogReader
    {
        public static readonly AsyncLocal<string?> Run = new();

        public int ShardCount => inner.ShardCount;

        public ValueTask<long> GetEndPositionAsync(int shard, CancellationToken cancellationToken = default) => inner.GetEndPositionAsync(shard, cancellationToken);

        public async ValueTask<LogBatch> ReadAsync(int shard, long fromPosition, int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken = default)
        {
            var run = Run.Value;
            if (run is not null)
            {
                reads.Enqueue((shard, run, Stopwatch.GetTimestamp()));
            }

            var batch = await inner.ReadAsync(shard, fromPosition, maxEvents, maxWait, cancellationToken);
            if (run is not null)
            {
                reads.Enqueue((shard, run, Stopwatch.GetTimestamp()));
            }

            return batch;
        }
    }
}
