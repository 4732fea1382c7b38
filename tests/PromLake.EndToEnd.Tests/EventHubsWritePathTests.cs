using System.Net;
using PromLake.EventHubsFake;

namespace PromLake.EndToEnd.Tests;

/// <summary>
/// The standalone server with Event Hubs as its log: the real Azure.Messaging.EventHubs
/// client, against the protocol-level fake broker, in the server's own process.
/// </summary>
public sealed class EventHubsWritePathTests : TemporaryDirectory
{
    private const int SeriesPerRequest = 200;

    [Fact]
    public async Task Every_sample_published_is_read_back_exactly_once_in_order_within_its_shard()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions { PartitionCount = 4 });
        await using var server = await StandaloneServer.StartAsync(TestDirectory, EventHubsSettings(broker));
        using var client = new RemoteWriteClient(server.Url);

        const int Requests = 20;
        for (var r = 0; r < Requests; r++)
        {
            var response = await client.SendAsync(RemoteWriteClient.Request(SeriesPerRequest, 1_700_000_000_000 + (r * 15_000)));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var shards = await EventHubsContents.ReadAsync(broker);
        var all = shards.SelectMany(s => s).ToList();
        Assert.Equal(Requests * SeriesPerRequest, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        foreach (var shard in shards)
        {
            foreach (var series in shard.GroupBy(s => s.Series))
            {
                var timestamps = series.Select(s => s.Timestamp).ToList();
                Assert.Equal(Requests, timestamps.Count);
                Assert.Equal(timestamps.Order(), timestamps);
            }
        }

        Assert.True(shards.All(s => s.Count > 0), "series should spread over every partition");
    }

    [Fact]
    public async Task Server_busy_gives_503_with_retry_after_and_the_resent_request_is_stored_once()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions { PartitionCount = 4 });
        await using var server = await StandaloneServer.StartAsync(TestDirectory, EventHubsSettings(broker, maxRetries: 0));
        using var client = new RemoteWriteClient(server.Url);
        var request = RemoteWriteClient.Request(SeriesPerRequest, 1_700_000_000_000);

        broker.RejectSendsWithServerBusy = true;
        var refused = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Empty(Enumerable.Range(0, 4).SelectMany(p => broker.EventsIn(p.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        broker.RejectSendsWithServerBusy = false;
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(request)).StatusCode);

        var all = (await EventHubsContents.ReadAsync(broker)).SelectMany(s => s).ToList();
        Assert.Equal(SeriesPerRequest, all.Count);
        Assert.Equal(SeriesPerRequest, all.Distinct().Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_dropped_during_a_send_never_ends_in_204_with_anything_missing(bool storeFirst)
    {
        await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions { PartitionCount = 4 });
        await using var server = await StandaloneServer.StartAsync(TestDirectory, EventHubsSettings(broker));
        using var client = new RemoteWriteClient(server.Url);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(RemoteWriteClient.Request(10, 1_699_999_990_000))).StatusCode);

        broker.DropConnectionOnNextSend(storeFirst);
        var response = await client.SendAsync(RemoteWriteClient.Request(SeriesPerRequest, 1_700_000_000_000));

        var stored = (await EventHubsContents.ReadAsync(broker)).SelectMany(s => s).Where(s => s.Timestamp == 1_700_000_000_000).Distinct().Count();
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            Assert.Equal(SeriesPerRequest, stored);
        }
        else
        {
            Assert.True((int)response.StatusCode >= 500, $"expected 204 or 5xx, got {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_hub_whose_partitions_differ_from_the_shard_count_stops_the_start_with_a_clear_error()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions { PartitionCount = 2 });
        var settings = EventHubsSettings(broker);
        settings["PromLake__EventHubs__ShardCount"] = "4";

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StandaloneServer.StartAsync(TestDirectory, settings));

        Assert.Contains("has 2 partitions", e.Message);
        Assert.Contains("ShardCount is 4", e.Message);
    }

    private static Dictionary<string, string> EventHubsSettings(FakeEventHubsBroker broker, int maxRetries = 3) => new()
    {
        ["PromLake__EventHubs__ConnectionString"] = broker.ConnectionString,
        ["PromLake__EventHubs__ShardCount"] = broker.PartitionCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PromLake__EventHubs__MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PromLake__EventHubs__TryTimeout"] = "00:00:05",
    };
}
