using PromLake.Log.Tests.Blobs;

namespace PromLake.Storage.Tests.Compaction;

/// <summary>A test with a fresh Azurite container and a one-shard log compacting into it.</summary>
public abstract class ShardStoreTest(AzuriteFixture azurite) : IAsyncLifetime
{
    protected ShardLogHarness Store { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        var container = azurite.NewContainer();
        await container.CreateAsync();
        Store = new ShardLogHarness(container);
    }

    public async Task DisposeAsync() => await Store.DisposeAsync();
}
