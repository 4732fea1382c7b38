using Microsoft.Extensions.Logging.Abstractions;
using PromLake.Log;
using PromLake.Log.Tests.Blobs;
using PromLake.Query.Model;
using PromLake.Query.Storage;
using PromLake.Query.Store;
using PromLake.Storage.Compaction;
using PromLake.Storage.Parquet;

namespace PromLake.EndToEnd.Tests;

/// <summary>The compactor killed at its worst moment: blocks written, checkpoint not.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CompactorFaultTests(AzuriteFixture azurite) : TemporaryDirectory
{
    private const string Tenant = "t1";

    [Fact]
    public async Task Killed_after_writing_blocks_but_before_its_checkpoint_the_compactor_loses_and_duplicates_nothing_in_query_results()
    {
        var logOptions = new LocalLogOptions { Directory = Path.Combine(TestDirectory, "log"), ShardCount = 1 };
        await using var log = new LocalFileLog(logOptions);
        var checkpoints = new LocalCheckpointStore(logOptions);
        var container = azurite.NewContainer();
        await container.CreateAsync();
        var options = new CompactorOptions { FlushInterval = TimeSpan.FromMilliseconds(500), RetryDelay = TimeSpan.FromSeconds(30) };
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await log.PublishAsync(0, [Event(now, 0, 10), Event(now, 10, 10), Event(now, 20, 10)]);

        // First run: the blocks are written, then the checkpoint commit "crashes" and the process is killed.
        var crashing = new CrashingCheckpointStore(checkpoints);
        using (var kill = new CancellationTokenSource())
        {
            var first = new ShardCompactor(0, log, crashing, new L0Flush(container, new SampleBlockWriter()), options, NullLogger.Instance);
            var run = first.RunAsync(kill.Token);
            await crashing.CommitAttempted.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await kill.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.True(first.BlobsWritten > 0);
        }

        Assert.Null(await checkpoints.GetAsync(options.Consumer, 0));
        await log.PublishAsync(0, [Event(now, 30, 10)]);

        // Second run, after the restart: from the old checkpoint again, over the same events and new ones.
        await SyntheticShard.CompactAsync(log, checkpoints, new L0Flush(container, new SampleBlockWriter()), options);

        // Every sample exactly once, read from the blocks alone (the checkpoint is past the whole log).
        var querier = new BlockStoreQuerier(Tenant, container, log, checkpoints, options.Consumer, options.ReplicaLabels, new BlockCache());
        var series = await querier.SelectAsync(new SelectRequest([new LabelMatcher(MatcherType.Equal, "__name__", "crash_metric")], now - 1, now + 1));
        Assert.Equal(40, series.Count);
        Assert.All(series, s => Assert.Single(s.Samples));
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.True(blobs.Count >= 2, "the repeated flush should have written a second block: " + string.Join(", ", blobs));
    }

    private static ReadOnlyMemory<byte> Event(long timestamp, int firstSeries, int count) => SyntheticShard.Event(Tenant, "crash_metric", timestamp, firstSeries, count);

    /// <summary>Fails the first commit, as a process killed between writing blocks and its checkpoint would.</summary>
    private sealed class CrashingCheckpointStore(ICheckpointStore inner) : ICheckpointStore
    {
        public TaskCompletionSource CommitAttempted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<long?> GetAsync(string consumer, int shard, CancellationToken cancellationToken = default) => inner.GetAsync(consumer, shard, cancellationToken);

        public ValueTask CommitAsync(string consumer, int shard, long position, CancellationToken cancellationToken = default)
        {
            CommitAttempted.TrySetResult();
            throw new IOException("killed before the checkpoint was written");
        }
    }
}
