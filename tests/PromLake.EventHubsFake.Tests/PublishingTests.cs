using System.Text;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace PromLake.EventHubsFake.Tests;

public sealed class PublishingTests
{
    [Fact]
    public async Task A_batch_sent_to_partition_2_is_stored_there_with_sequence_numbers_from_zero()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker);
        using var batch = await producer.CreateBatchAsync(new CreateBatchOptions { PartitionId = "2" });
        for (var i = 0; i < 5; i++)
        {
            Assert.True(batch.TryAdd(Clients.Event($"sample {i}", label: $"series-{i}")));
        }

        await producer.SendAsync(batch);

        var stored = broker.EventsIn("2");
        Assert.Equal([0L, 1, 2, 3, 4], stored.Select(e => e.SequenceNumber));
        Assert.Equal(["sample 0", "sample 1", "sample 2", "sample 3", "sample 4"], stored.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
        Assert.Equal("series-3", stored[3].Properties["label"]);
        Assert.All(stored, e => Assert.Equal("2", e.PartitionId));
        Assert.Empty(broker.EventsIn("0"));
        Assert.Empty(broker.EventsIn("1"));
        Assert.Empty(broker.EventsIn("3"));
    }

    [Fact]
    public async Task Sequence_numbers_continue_across_sends_and_offsets_grow_from_zero()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker);

        await producer.SendAsync([Clients.Event("first")], new SendEventOptions { PartitionId = "0" });
        await producer.SendAsync([Clients.Event("second"), Clients.Event("third")], new SendEventOptions { PartitionId = "0" });

        var stored = broker.EventsIn("0");
        Assert.Equal([0L, 1, 2], stored.Select(e => e.SequenceNumber));
        Assert.Equal("0", stored[0].Offset);
        Assert.True(long.Parse(stored[1].Offset) > 0);
        Assert.True(long.Parse(stored[2].Offset) > long.Parse(stored[1].Offset));
    }

    [Fact]
    public async Task A_batch_of_about_900_KB_is_accepted_whole()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker);
        using var batch = await producer.CreateBatchAsync(new CreateBatchOptions { PartitionId = "1" });
        var body = new byte[100 * 1024];
        Random.Shared.NextBytes(body);
        for (var i = 0; i < 9; i++)
        {
            Assert.True(batch.TryAdd(new EventData(body)), $"event {i} did not fit in a batch of {batch.MaximumSizeInBytes} bytes");
        }

        await producer.SendAsync(batch);

        var stored = broker.EventsIn("1");
        Assert.Equal(9, stored.Count);
        Assert.All(stored, e => Assert.True(e.Body.Span.SequenceEqual(body)));
    }

    [Fact]
    public async Task Batches_are_limited_to_the_max_message_size_the_broker_announces()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync(new FakeEventHubsBrokerOptions { MaxMessageSize = 64 * 1024 });
        await using var producer = Clients.Producer(broker);

        using var batch = await producer.CreateBatchAsync(new CreateBatchOptions { PartitionId = "0" });

        Assert.Equal(64 * 1024, batch.MaximumSizeInBytes);
        Assert.False(batch.TryAdd(new EventData(new byte[65 * 1024])));
    }

    [Fact]
    public async Task Events_sent_to_the_hub_with_one_partition_key_land_in_one_partition()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker);

        for (var i = 0; i < 3; i++)
        {
            await producer.SendAsync([Clients.Event($"event {i}")], new SendEventOptions { PartitionKey = "tenant-a" });
        }

        var holding = Enumerable.Range(0, broker.PartitionCount).Select(p => broker.EventsIn(p.ToString())).Where(events => events.Count > 0).ToList();
        var partition = Assert.Single(holding);
        Assert.Equal(3, partition.Count);
        Assert.All(partition, e => Assert.Equal("tenant-a", e.PartitionKey));
    }

    [Fact]
    public async Task Sending_to_a_partition_the_hub_does_not_have_fails_as_not_found()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker, maximumRetries: 0);

        var failure = await Assert.ThrowsAsync<EventHubsException>(
            () => producer.SendAsync([Clients.Event("lost")], new SendEventOptions { PartitionId = "7" }));

        Assert.Equal(EventHubsException.FailureReason.ResourceNotFound, failure.Reason);
    }
}
