using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using PromLake.Log.Blobs;

namespace PromLake.Log.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public sealed class ShardLeaseTests(AzuriteFixture azurite) : IAsyncLifetime
{
    // Azure's shortest lease: the one test that waits for an expiry waits this long.
    private static readonly TimeSpan ShortestLease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LongestLease = TimeSpan.FromSeconds(60);

    // Generous bounds for things that happen within a lease duration; only a hang reaches them.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly BlobContainerClient _container = azurite.NewContainer();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    private BlobCheckpointStore Store(TimeSpan leaseDuration) =>
        new(_container, new BlobCheckpointOptions { LeaseDuration = leaseDuration });

    [Fact]
    public async Task A_second_instance_cannot_acquire_a_held_lease()
    {
        await using var first = await ShardLease.TryAcquireAsync(_container, "compactor", 3, ShortestLease);
        Assert.NotNull(first);

        var second = await ShardLease.TryAcquireAsync(_container, "compactor", 3, ShortestLease);

        Assert.Null(second);
        Assert.True(first.IsOwned);
        Assert.True(await _container.GetBlobClient("ownership/compactor/003").ExistsAsync());
        await using var otherShard = await ShardLease.TryAcquireAsync(_container, "compactor", 4, ShortestLease);
        Assert.NotNull(otherShard);
    }

    [Fact]
    public async Task After_the_owner_releases_another_instance_acquires_at_once_and_resumes_from_its_checkpoint()
    {
        var store = Store(ShortestLease);
        var first = await store.TryAcquireLeaseAsync("compactor", 0);
        Assert.NotNull(first);
        Assert.Null(await store.ClaimAsync(first));
        await store.CommitAsync(first, 100);

        await first.DisposeAsync();
        await using var second = await store.TryAcquireLeaseAsync("compactor", 0);

        Assert.NotNull(second);
        Assert.True(first.OwnershipLost.IsCancellationRequested);
        Assert.True(second.Epoch > first.Epoch);
        Assert.Equal(100, await store.ClaimAsync(second));
    }

    [Fact]
    public async Task An_owner_that_stops_renewing_loses_the_shard_only_when_its_lease_expires_and_can_no_longer_commit()
    {
        var store = Store(ShortestLease);
        await using var stalled = await store.TryAcquireLeaseAsync("compactor", 0);
        Assert.NotNull(stalled);
        await store.ClaimAsync(stalled);
        await store.CommitAsync(stalled, 100);
        // A healthy owner alongside, to show that renewing keeps a lease past its duration.
        await using var healthy = await store.TryAcquireLeaseAsync("compactor", 1);
        Assert.NotNull(healthy);

        stalled.StopRenewingForTests();
        Assert.Null(await store.TryAcquireLeaseAsync("compactor", 0));
        var successor = await AcquireWhenFreeAsync(store, "compactor", 0);

        await WaitUntilCancelledAsync(stalled.OwnershipLost);
        await Assert.ThrowsAsync<ShardLeaseLostException>(() => store.CommitAsync(stalled, 200).AsTask());
        Assert.Equal(100, await store.ClaimAsync(successor));
        await store.CommitAsync(successor, 150);
        Assert.Equal(150, await store.GetAsync("compactor", 0));

        Assert.True(healthy.IsOwned);
        Assert.Null(await store.TryAcquireLeaseAsync("compactor", 1));
        await successor.DisposeAsync();
    }

    [Fact]
    public async Task An_owner_paused_past_its_lease_is_fenced_off_by_the_new_owners_claim()
    {
        var store = Store(LongestLease);
        await using var paused = await store.TryAcquireLeaseAsync("compactor", 0);
        Assert.NotNull(paused);
        await store.ClaimAsync(paused);
        await store.CommitAsync(paused, 100);
        paused.StopRenewingForTests();

        // The lease ends as if it had expired, while the paused owner's own clock
        // says it still owns the shard: only the checkpoint's fence can stop its commit.
        await BreakLeaseAsync("ownership/compactor/000");
        await using var successor = await store.TryAcquireLeaseAsync("compactor", 0);
        Assert.NotNull(successor);
        Assert.True(paused.IsOwned);
        Assert.Equal(100, await store.ClaimAsync(successor));

        var refused = await Assert.ThrowsAsync<ShardLeaseLostException>(() => store.CommitAsync(paused, 200).AsTask());

        Assert.Equal(0, refused.Shard);
        Assert.True(paused.OwnershipLost.IsCancellationRequested);
        Assert.Equal(100, await store.GetAsync("compactor", 0));
        await Assert.ThrowsAsync<ShardLeaseLostException>(() => store.ClaimAsync(paused).AsTask());
        await store.CommitAsync(successor, 300);
        Assert.Equal(300, await store.GetAsync("compactor", 0));
    }

    [Fact]
    public async Task An_owner_learns_at_its_next_renewal_that_another_instance_took_its_lease()
    {
        await using var first = await ShardLease.TryAcquireAsync(_container, "compactor", 0, ShortestLease);
        Assert.NotNull(first);

        await BreakLeaseAsync("ownership/compactor/000");
        await using var second = await ShardLease.TryAcquireAsync(_container, "compactor", 0, ShortestLease);
        Assert.NotNull(second);

        await WaitUntilCancelledAsync(first.OwnershipLost);
        Assert.False(first.IsOwned);
        Assert.True(second.IsOwned);
    }

    [Fact]
    public async Task A_lease_held_by_an_instance_in_another_container_is_refused_by_the_store()
    {
        var other = azurite.NewContainer();
        try
        {
            await using var lease = await ShardLease.TryAcquireAsync(other, "compactor", 0, ShortestLease);
            Assert.NotNull(lease);

            await Assert.ThrowsAsync<ArgumentException>(() => Store(ShortestLease).ClaimAsync(lease).AsTask());
        }
        finally
        {
            await other.DeleteIfExistsAsync();
        }
    }

    [Theory]
    [InlineData(14)]
    [InlineData(61)]
    [InlineData(20.5)]
    public async Task A_lease_duration_outside_azures_whole_15_to_60_seconds_is_rejected(double seconds)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => ShardLease.TryAcquireAsync(_container, "compactor", 0, TimeSpan.FromSeconds(seconds)));
    }

    private static async Task<ShardLease> AcquireWhenFreeAsync(BlobCheckpointStore store, string consumer, int shard)
    {
        using var limit = new CancellationTokenSource(Patience);
        while (true)
        {
            if (await store.TryAcquireLeaseAsync(consumer, shard, limit.Token) is { } lease)
            {
                return lease;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), limit.Token);
        }
    }

    private static async Task WaitUntilCancelledAsync(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(Patience);
    }

    // Breaking with no break period frees the lease at once: the state an expired lease is in.
    private Task BreakLeaseAsync(string blobName) =>
        _container.GetBlobClient(blobName).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
}
