using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using PromLake.Log.Blobs;

namespace PromLake.Log.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public sealed class BlobCheckpointStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly BlobContainerClient _container = azurite.NewContainer();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task A_consumer_has_no_checkpoint_until_it_commits_one_and_the_container_is_created_on_first_commit()
    {
        var store = new BlobCheckpointStore(_container);

        Assert.Null(await store.GetAsync("compactor", 0));
        await store.CommitAsync("compactor", 0, 4096);

        Assert.Equal(4096, await store.GetAsync("compactor", 0));
        Assert.Null(await store.GetAsync("compactor", 1));
        Assert.Null(await store.GetAsync("other", 0));
        Assert.True(await _container.ExistsAsync());
    }

    [Fact]
    public async Task Checkpoint_never_moves_backwards()
    {
        var store = new BlobCheckpointStore(_container);

        await store.CommitAsync("compactor", 2, 1000);
        await store.CommitAsync("compactor", 2, 500);
        await store.CommitAsync("compactor", 2, 1000);
        Assert.Equal(1000, await store.GetAsync("compactor", 2));

        await store.CommitAsync("compactor", 2, 1500);
        Assert.Equal(1500, await store.GetAsync("compactor", 2));
    }

    [Fact]
    public async Task The_checkpoint_is_a_blob_per_consumer_and_shard_holding_the_position_as_text()
    {
        await new BlobCheckpointStore(_container).CommitAsync("compactor", 7, 123456);

        var content = await _container.GetBlobClient("checkpoints/compactor/007").DownloadContentAsync();
        Assert.Equal("123456", content.Value.Content.ToString());
        Assert.Equal(123456, await new BlobCheckpointStore(_container).GetAsync("compactor", 7));
    }

    [Theory]
    [InlineData(300, 200)]
    [InlineData(200, 300)]
    public async Task Two_writers_racing_with_stale_ETags_end_at_the_higher_position(long slowWriterPosition, long fastWriterPosition)
    {
        var fastWriter = new BlobCheckpointStore(_container);
        await fastWriter.CommitAsync("compactor", 0, 100);
        // The slow writer has read the checkpoint (and its ETag); the fast one commits
        // before the slow one's write reaches the service.
        var interception = new BeforeFirstWrite(() => fastWriter.CommitAsync("compactor", 0, fastWriterPosition).AsTask());
        var options = new BlobClientOptions();
        options.AddPolicy(interception, HttpPipelinePosition.PerRetry);
        var slowWriter = new BlobCheckpointStore(azurite.Container(_container.Name, options));

        await slowWriter.CommitAsync("compactor", 0, slowWriterPosition);

        Assert.Equal(412, interception.WriteStatuses[0]);
        Assert.Equal(Math.Max(slowWriterPosition, fastWriterPosition), await fastWriter.GetAsync("compactor", 0));
    }

    [Fact]
    public async Task Concurrent_commits_from_separate_stores_leave_the_highest_position()
    {
        var positions = new long[] { 70, 20, 80, 10, 50, 30, 60, 40 };

        await Task.WhenAll(Array.ConvertAll(
            positions, position => Task.Run(() => new BlobCheckpointStore(_container).CommitAsync("compactor", 1, position).AsTask())));

        Assert.Equal(80, await new BlobCheckpointStore(_container).GetAsync("compactor", 1));
    }

    [Fact]
    public async Task A_checkpoint_claimed_with_a_lease_cannot_be_committed_without_it()
    {
        var store = new BlobCheckpointStore(_container);
        await store.CommitAsync("compactor", 0, 100);
        await using var lease = await store.TryAcquireLeaseAsync("compactor", 0);
        Assert.NotNull(lease);
        Assert.Equal(100, await store.ClaimAsync(lease));

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitAsync("compactor", 0, 200).AsTask());

        await store.CommitAsync(lease, 200);
        Assert.Equal(200, await store.GetAsync("compactor", 0));
    }

    [Fact]
    public async Task A_lease_must_claim_the_checkpoint_before_committing()
    {
        var store = new BlobCheckpointStore(_container);
        await using var lease = await store.TryAcquireLeaseAsync("compactor", 0);
        Assert.NotNull(lease);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitAsync(lease, 100).AsTask());

        Assert.Null(await store.ClaimAsync(lease));
        await store.CommitAsync(lease, 100);
        await store.CommitAsync(lease, 50);
        Assert.Equal(100, await store.GetAsync("compactor", 0));
    }

    [Fact]
    public async Task A_checkpoint_blob_that_does_not_hold_a_number_is_reported_not_read_as_zero()
    {
        await _container.CreateAsync();
        await _container.GetBlobClient("checkpoints/compactor/000").UploadAsync(BinaryData.FromString("twelve"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new BlobCheckpointStore(_container).GetAsync("compactor", 0).AsTask());
        Assert.Contains("checkpoints/compactor/000", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("with space")]
    public async Task A_consumer_name_that_is_not_a_plain_path_segment_is_rejected(string consumer)
    {
        var store = new BlobCheckpointStore(_container);

        await Assert.ThrowsAsync<ArgumentException>(() => store.CommitAsync(consumer, 0, 1).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(consumer, 0).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryAcquireLeaseAsync(consumer, 0));
    }

    [Fact]
    public async Task A_negative_shard_or_position_is_rejected()
    {
        var store = new BlobCheckpointStore(_container);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetAsync("compactor", -1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.CommitAsync("compactor", 0, -1).AsTask());
    }

    /// <summary>Runs an action just before the client's first write is sent, and records each write's status.</summary>
    private sealed class BeforeFirstWrite(Func<Task> action) : HttpPipelinePolicy
    {
        private int _fired;

        public List<int> WriteStatuses { get; } = [];

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var isWrite = message.Request.Method == RequestMethod.Put;
            if (isWrite && Interlocked.Exchange(ref _fired, 1) == 0)
            {
                await action();
            }

            await ProcessNextAsync(message, pipeline);
            if (isWrite)
            {
                lock (WriteStatuses)
                {
                    WriteStatuses.Add(message.Response.Status);
                }
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The stores only make asynchronous calls");
    }
}
