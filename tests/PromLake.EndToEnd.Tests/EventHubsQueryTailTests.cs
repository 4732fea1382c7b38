using System.Globalization;
using System.Net;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using PromLake.EventHubsFake;
using PromLake.Log.Tests.Blobs;

namespace PromLake.EndToEnd.Tests;

/// <summary>
/// Queries over data acknowledged but not compacted yet, with Event Hubs as the log: the
/// query path reads the tail past the compactor's checkpoint in a consumer group of its
/// own, so a compactor holding every partition with an owner level (as the Functions
/// compactor does) neither refuses it nor is disturbed by it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EventHubsQueryTailTests(AzuriteFixture azurite) : TemporaryDirectory
{
    private const int Series = 50;
    private const int Requests = 12;
    private const long Start = 1_700_000_000_000;

    [Fact]
    public async Task Samples_acknowledged_are_queryable_at_once_while_a_compactor_holds_every_partition()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions
        {
            PartitionCount = StandaloneServer.ShardCount,
            ConsumerGroups = ["compactor", "query"],
        });
        var blocks = azurite.NewContainer();
        var checkpoints = azurite.NewContainer();
        await using var server = await StandaloneServer.StartAsync(TestDirectory, new Dictionary<string, string>
        {
            ["PromLake__EventHubs__ConnectionString"] = broker.ConnectionString,
            ["PromLake__EventHubs__ShardCount"] = StandaloneServer.ShardCount.ToString(CultureInfo.InvariantCulture),
            ["PromLake__EventHubs__ConsumerGroup"] = "compactor",
            ["PromLake__EventHubs__QueryConsumerGroup"] = "query",
            ["PromLake__Storage__ConnectionString"] = azurite.ConnectionString,
            ["PromLake__Storage__ContainerName"] = blocks.Name,
            ["PromLake__Checkpoints__ConnectionString"] = azurite.ConnectionString,
            ["PromLake__Checkpoints__ContainerName"] = checkpoints.Name,
            // Nothing reaches a block: every sample the query returns comes from the log tail.
            ["PromLake__Compactor__Enabled"] = "false",
        });

        // A compactor elsewhere owns every partition of its group, with an owner level.
        var owners = new List<PartitionReceiver>();
        try
        {
            for (var partition = 0; partition < StandaloneServer.ShardCount; partition++)
            {
                var owner = new PartitionReceiver(
                    "compactor",
                    partition.ToString(CultureInfo.InvariantCulture),
                    EventPosition.Earliest,
                    broker.ConnectionString,
                    new PartitionReceiverOptions { OwnerLevel = 7 });
                owners.Add(owner);
                await owner.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(200));
            }

            using var writer = new RemoteWriteClient(server.Url);
            for (var r = 0; r < Requests; r++)
            {
                var response = await writer.SendAsync(RemoteWriteClient.Request(Series, Start + (r * 15_000)));
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }

            using var query = new PromLakeQueryClient(server.Url);
            var evaluatedAt = (Start + ((Requests - 1) * 15_000)) / 1000.0;
            var counts = await query.VectorAsync("count_over_time(e2e_metric[10m])", evaluatedAt);

            Assert.Equal(Series, counts.Count);
            Assert.All(counts.Values, count => Assert.Equal(Requests, count));
            Assert.False((await blocks.ExistsAsync()).Value && blocks.GetBlobs().Any(), "the compactor is off: no block may exist");

            // The owners were never disconnected by the query's reads.
            foreach (var owner in owners)
            {
                await owner.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100));
            }
        }
        finally
        {
            foreach (var owner in owners)
            {
                await owner.DisposeAsync();
            }
        }
    }
}
