using Azure.Storage.Blobs;
using PromLake.Log;
using PromLake.Log.Tests.Blobs;
using PromLake.Query.Http;
using PromLake.Query.Model;
using PromLake.Query.Storage;
using PromLake.Query.Store;
using PromLake.Storage.Compaction;
using PromLake.Storage.Parquet;

namespace PromLake.EndToEnd.Tests;

/// <summary>
/// The block store's querier over Azurite and a local log: a reused block listing never hides a
/// sample (what was flushed after it is read from the log tail), and label lookups see blocks and tail.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlockStoreQuerierTests(AzuriteFixture azurite) : TemporaryDirectory
{
    private const string Tenant = "t1";
    private const string Metric = "reuse_metric";

    [Fact]
    public async Task A_block_flushed_after_the_listing_was_taken_is_answered_from_the_log_tail_exactly_once()
    {
        await using var shard = await CompactedShardAsync(seriesInBlock: 10);
        var querier = shard.Querier(new BlockCache(), new BlockListingCache(TimeSpan.FromHours(1)));
        Assert.Equal(10, (await SelectAsync(querier, shard.Now)).Count);

        // Ten more series, flushed into a block the reused listing does not name, and the checkpoint moved past them.
        await shard.Log.PublishAsync(0, [SyntheticShard.Event(Tenant, Metric, shard.Now, 10, 10)]);
        await SyntheticShard.CompactAsync(shard.Log, shard.Checkpoints, shard.Flush, shard.Options);
        Assert.Equal(await SyntheticShard.EndOfLogAsync(shard.Log), await shard.Checkpoints.GetAsync(shard.Options.Consumer, 0));

        var series = await SelectAsync(querier, shard.Now);
        Assert.Equal(20, series.Count);
        Assert.All(series, s => Assert.Single(s.Samples));
    }

    [Fact]
    public async Task A_block_of_the_reused_listing_that_has_gone_makes_the_query_list_again()
    {
        await using var shard = await CompactedShardAsync(seriesInBlock: 10);
        var listings = new BlockListingCache(TimeSpan.FromHours(1));
        Assert.Equal(10, (await SelectAsync(shard.Querier(new BlockCache(), listings), shard.Now)).Count);

        // The block is rewritten as the hour block that replaces it (as a merge would), and the old one deleted.
        await foreach (var blob in shard.Container.GetBlobsAsync())
        {
            Assert.True(BlockRef.TryParse(blob.Name, "", out var source));
            var copy = shard.Container.GetBlobClient(BlockLayout.Hour(Tenant, source.PartitionStart, source.Shard, source.FirstPosition, source.LastPosition));
            await copy.UploadAsync((await shard.Container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content);
            await shard.Container.DeleteBlobAsync(blob.Name);
        }

        // A querier with an empty block cache but the same listings: the listed block is not found.
        var series = await SelectAsync(shard.Querier(new BlockCache(), listings), shard.Now);
        Assert.Equal(10, series.Count);
        Assert.All(series, s => Assert.Single(s.Samples));
    }

    [Fact]
    public async Task Label_lookups_see_the_series_of_blocks_and_log_tail_with_a_sample_in_the_range()
    {
        await using var shard = await CompactedShardAsync(seriesInBlock: 3);
        await shard.Log.PublishAsync(0, [SyntheticShard.Event(Tenant, "tail_metric", shard.Now, 3, 2), SyntheticShard.Event(Tenant, "old_metric", shard.Now - 3_600_000, 5, 1)]);
        var querier = shard.Querier(new BlockCache(), listings: null);
        var (from, to) = (shard.Now - 1, shard.Now + 1);

        var names = await querier.LabelValuesAsync("__name__", [], from, to);
        var series = await querier.LabelValuesAsync("series", [new LabelMatcher(MatcherType.Equal, "__name__", "tail_metric")], from, to);

        Assert.Equal([Metric, "tail_metric"], names.Order(StringComparer.Ordinal));
        Assert.Equal(["3", "4"], series.Order(StringComparer.Ordinal));
        Assert.Equal(["__name__", "series"], (await querier.LabelNamesAsync([], from, to)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Native_histograms_are_answered_from_blocks_and_from_the_log_tail()
    {
        await using var shard = await CompactedShardAsync(seriesInBlock: 1);
        await shard.Log.PublishAsync(0, [SyntheticShard.HistogramEvent(Tenant, "native_metric", shard.Now - 30_000, count: 4)]);
        await SyntheticShard.CompactAsync(shard.Log, shard.Checkpoints, shard.Flush, shard.Options);
        await shard.Log.PublishAsync(0, [SyntheticShard.HistogramEvent(Tenant, "native_metric", shard.Now, count: 6)]); // the tail
        var querier = shard.Querier(new BlockCache(), listings: null);

        var selected = await querier.SelectAsync(new SelectRequest([new LabelMatcher(MatcherType.Equal, "__name__", "native_metric")], shard.Now - 60_000, shard.Now));
        var counts = await new PromLake.Query.PromQL.Engine.PromQLEngine(querier).RangeQueryAsync("histogram_count(native_metric)", shard.Now - 30_000, shard.Now, 15_000);

        var samples = Assert.Single(selected).Samples;
        Assert.Equal([shard.Now - 30_000, shard.Now], samples.Select(s => s.T));
        Assert.Equal([3.0, 1], samples[0].H!.PositiveBuckets);
        Assert.Equal([new BucketSpan(0, 1), new BucketSpan(1, 1)], samples[0].H!.PositiveSpans);
        Assert.Equal([5.0, 7], samples.Select(s => s.H!.Count));
        Assert.Null(counts.Error);
        var series = Assert.Single(Assert.IsType<PromLake.Query.PromQL.Engine.MatrixValue>(counts.Value).Series);
        Assert.Equal([5.0, 5, 7], series.Floats.Select(p => p.F));
    }

    [Fact]
    public async Task Exemplars_are_answered_from_blocks_and_from_the_log_tail_once_each()
    {
        await using var shard = await CompactedShardAsync(seriesInBlock: 1);
        var flushed = SyntheticShard.ExemplarEvent(Tenant, "traced_total", shard.Now - 30_000, "abc", 4);
        await shard.Log.PublishAsync(0, [flushed, flushed]); // a resent request
        await SyntheticShard.CompactAsync(shard.Log, shard.Checkpoints, shard.Flush, shard.Options);
        await shard.Log.PublishAsync(0, [SyntheticShard.ExemplarEvent(Tenant, "traced_total", shard.Now, "def", 6)]); // the tail
        var querier = shard.Querier(new BlockCache(), listings: null);

        var found = await querier.ExemplarsAsync([[new LabelMatcher(MatcherType.Equal, "__name__", "traced_total")], [new LabelMatcher(MatcherType.Regexp, "__name__", "traced.*")]], shard.Now - 60_000, shard.Now);
        var none = await querier.ExemplarsAsync([[new LabelMatcher(MatcherType.Equal, "__name__", Metric)]], shard.Now - 60_000, shard.Now);

        var series = Assert.Single(found);
        Assert.Equal(Labels.FromStrings("__name__", "traced_total"), series.SeriesLabels);
        Assert.Equal([(shard.Now - 30_000, 4.0, "abc"), (shard.Now, 6.0, "def")], series.Exemplars.Select(e => (e.T, e.Value, e.Labels.Get("trace_id"))));
        Assert.Empty(none);
    }

    /// <summary>A one-shard log whose first <paramref name="seriesInBlock"/> series of <see cref="Metric"/> are compacted into a block.</summary>
    private async Task<Shard> CompactedShardAsync(int seriesInBlock)
    {
        var logOptions = new LocalLogOptions { Directory = Path.Combine(TestDirectory, "log"), ShardCount = 1 };
        var container = azurite.NewContainer();
        await container.CreateAsync();
        var shard = new Shard(new LocalFileLog(logOptions), new LocalCheckpointStore(logOptions), container,
            new CompactorOptions { FlushInterval = TimeSpan.FromMilliseconds(200) }, new L0Flush(container, new SampleBlockWriter()),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000);
        await shard.Log.PublishAsync(0, [SyntheticShard.Event(Tenant, Metric, shard.Now, 0, seriesInBlock)]);
        await SyntheticShard.CompactAsync(shard.Log, shard.Checkpoints, shard.Flush, shard.Options);
        return shard;
    }

    private static async Task<IReadOnlyList<StoredSeries>> SelectAsync(BlockStoreQuerier querier, long now) =>
        await querier.SelectAsync(new SelectRequest([new LabelMatcher(MatcherType.Equal, "__name__", Metric)], now - 1, now + 1));

    private sealed record Shard(LocalFileLog Log, LocalCheckpointStore Checkpoints, BlobContainerClient Container, CompactorOptions Options, L0Flush Flush, long Now)
        : IAsyncDisposable
    {
        public BlockStoreQuerier Querier(BlockCache cache, BlockListingCache? listings) =>
            new(Tenant, Container, Log, Checkpoints, Options.Consumer, [], cache, listings);

        public ValueTask DisposeAsync() => Log.DisposeAsync();
    }
}
