using PromLake.Log.Tests.Blobs;
using PromLake.Storage.Compaction;
using PromLake.Storage.Series;
using static PromLake.Storage.Tests.Compaction.ShardLogHarness;

namespace PromLake.Storage.Tests.Compaction;

[Collection(AzuriteCollection.Name)]
public sealed class BlockCatalogTests(AzuriteFixture azurite) : ShardStoreTest(azurite)
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly long H = Hour.ToUnixTimeMilliseconds();
    private static readonly Label[] Up = SeriesLabels("up", ("job", "a"));

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Store.WriteBlockAsync(new Written(Up, H + 1000, 1), new Written(Up, H + 2000, 2));
        await Store.WriteBlockAsync(new Written(Up, H + 3000, 3));
        await Store.WriteBlockAsync(new Written(Up, H + 4000, 4), new Written(Up, H + (2 * 3_600_000) + 5000, 5));
    }

    [Fact]
    public async Task Lists_blocks_per_shard_in_log_position_order_and_only_the_hours_asked_for()
    {
        var catalog = new BlockCatalog(Store.Container);

        var all = await catalog.ListAsync(Tenant, H, H + (3 * 3_600_000), default);
        var firstHour = await catalog.ListAsync(Tenant, H, H + 3_599_999, default);

        Assert.Equal(4, all.Count);
        Assert.Equal(all.OrderBy(b => b.FirstPosition).Select(b => b.Name), all.Select(b => b.Name));
        Assert.Equal(3, firstHour.Count);
    }

    [Fact]
    public async Task Reads_each_sample_once_while_a_merged_block_and_its_sources_are_bothStored()
    {
        var merge = new BlockMerge(Store.Container, Store.Options.ReplicaLabels) { OnProgress = (_, _) => throw new MergeKilled() };
        await Assert.ThrowsAsync<MergeKilled>(() => Store.Merges(new ManualClock(Hour.AddHours(2)), merge).RunAsync(Store.CommittedAsync().Result, default));
        Assert.Equal(5, (await Store.BlobNamesAsync()).Count);

        var blocks = await new BlockCatalog(Store.Container).ListAsync(Tenant, H, H + 3_599_999, default);

        var merged = Assert.Single(blocks);
        Assert.Equal(BlockLevel.Hour, merged.Level);
        Assert.Equal([H + 1000, H + 2000, H + 3000, H + 4000], await SamplesAsync(blocks));
    }

    [Fact]
    public async Task Lists_again_and_misses_nothing_when_a_merge_deletes_a_source_between_listing_and_reading()
    {
        var catalog = new BlockCatalog(Store.Container);
        var reads = new List<string>();
        var merged = false;

        var results = await catalog.ReadAsync(Tenant, H, H + 3_599_999, async (block, ct) =>
        {
            if (!merged)
            {
                // The listing is done; now a merge completes (block written, sources deleted) before the first read.
                merged = true;
                await Store.Merges(new ManualClock(Hour.AddHours(2))).RunAsync(await Store.CommittedAsync(), ct);
            }

            reads.Add(block.Name);
            return await Store.ReadBlockAsync(block.Name);
        }, default);

        var read = Assert.Single(results);
        Assert.Equal(BlockLevel.Hour, read.Block.Level);
        Assert.Equal([H + 1000, H + 2000, H + 3000, H + 4000], read.Result.SelectMany(s => s.Samples).Select(s => s.Timestamp).Where(t => t < H + 3_600_000));
        Assert.Contains("/l0-", reads[0], StringComparison.Ordinal);
    }

    private async Task<List<long>> SamplesAsync(IEnumerable<BlockRef> blocks)
    {
        var samples = new List<long>();
        foreach (var block in blocks)
        {
            samples.AddRange((await Store.ReadBlockAsync(block.Name)).SelectMany(s => s.Samples).Select(s => s.Timestamp).Where(t => t < H + 3_600_000));
        }

        return samples;
    }

    private sealed class MergeKilled : Exception;
}
