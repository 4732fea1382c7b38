using PromLake.EventHubsFake;
using PromLake.Log.Blobs;
using PromLake.Log.EventHubs;
using PromLake.Log.Tests.Blobs;

namespace PromLake.Log.Tests.EventHubs;

/// <summary>
/// Two compactor instances contending for one Event Hubs partition: the fake
/// broker through the real client, leases and checkpoints in Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LeasedShardReaderTests(AzuriteFixture azurite)
{
    private const string Consumer = "compactor";

    [Fact]
    public async Task One_owns_the_partition_the_other_takes_over_only_after_it_stops_renewing_and_no_event_past_a_checkpoint_is_processed_twice()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions { PartitionCount = 2 });
        var options = new EventHubsLogOptions { ConnectionString = broker.ConnectionString, ShardCount = 2, MaxRetries = 1 };
        await using (var publisher = new EventHubsLogPublisher(options))
        {
            var events = Enumerable.Range(0, 30).Select(i => (ReadOnlyMemory<byte>)new[] { (byte)i }).ToList();
            await publisher.PublishAsync(0, events);
        }

        var checkpoints = new BlobCheckpointStore(azurite.NewContainer(), new BlobCheckpointOptions { LeaseDuration = TimeSpan.FromSeconds(15) });
        await using var readerA = new EventHubsLogReader(options);
        await using var readerB = new EventHubsLogReader(options);

        await using var a = await LeasedShardReader.TryAcquireAsync(readerA, checkpoints, Consumer, 0);
        Assert.NotNull(a);
        Assert.Null(await LeasedShardReader.TryAcquireAsync(readerB, checkpoints, Consumer, 0));

        var processedByA = new List<long>();
        processedByA.AddRange(await ReadPositionsAsync(a, 10));
        await a.CommitAsync(10);
        processedByA.AddRange(await ReadPositionsAsync(a, 10));

        // A stalls: it stops renewing without releasing, as a crashed instance would.
        a.StopRenewingForTests();
        LeasedShardReader? b = null;
        for (var attempt = 0; attempt < 120 && b is null; attempt++)
        {
            b = await LeasedShardReader.TryAcquireAsync(readerB, checkpoints, Consumer, 0);
            if (b is null)
            {
                await Task.Delay(250);
            }
        }

        Assert.NotNull(b);
        await using (b)
        {
            Assert.Equal(10, b.NextPosition);
            var processedByB = await ReadPositionsAsync(b, 20);
            await b.CommitAsync(30);

            // A may have handled the uncommitted tail (10..19), which B repeats; past
            // B's committed checkpoint A can do nothing: its commit is refused and the
            // broker has handed the partition to B's higher owner level.
            await Assert.ThrowsAsync<ShardLeaseLostException>(async () => await a.CommitAsync(20));
            Assert.True(a.OwnershipLost.IsCancellationRequested);
            await Assert.ThrowsAnyAsync<Exception>(async () => await a.ReadAsync(10, TimeSpan.FromSeconds(1)));
            Assert.Equal(Enumerable.Range(10, 20).Select(i => (long)i), processedByB);
            Assert.DoesNotContain(processedByA, p => p >= 30);
            Assert.Equal(30, await checkpoints.GetAsync(Consumer, 0));
        }
    }

    private static async Task<List<long>> ReadPositionsAsync(LeasedShardReader reader, int count)
    {
        var positions = new List<long>();
        while (positions.Count < count)
        {
            var batch = await reader.ReadAsync(count - positions.Count, TimeSpan.FromSeconds(2));
            Assert.NotEmpty(batch.Records);
            positions.AddRange(batch.Records.Select(r => r.Position));
        }

        return positions;
    }
}
