using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Producer;

namespace PromLake.EventHubsFake.Tests;

public sealed class ReadingTests
{
    private const string ConsumerGroup = EventHubConsumerClient.DefaultConsumerGroupName;

    [Fact]
    public async Task A_receiver_from_earliest_reads_every_event_with_its_system_properties()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await SendAsync(broker, "0", "a", "b", "c");
        await using var receiver = new PartitionReceiver(ConsumerGroup, "0", EventPosition.Earliest, broker.ConnectionString);

        var received = await Clients.ReceiveAsync(receiver, 3);

        var stored = broker.EventsIn("0");
        Assert.Equal(["a", "b", "c"], received.Select(Clients.Text));
        Assert.Equal(stored.Select(e => e.SequenceNumber), received.Select(e => e.SequenceNumber));
        Assert.Equal(stored.Select(e => e.Offset), received.Select(e => e.OffsetString));
        Assert.Equal(stored.Select(e => e.EnqueuedTime), received.Select(e => e.EnqueuedTime));
        Assert.Equal("label-of-b", received[1].Properties["label"]);
    }

    [Fact]
    public async Task A_receiver_from_a_sequence_number_inclusive_starts_at_that_event()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await SendAsync(broker, "1", "a", "b", "c", "d");
        await using var receiver = new PartitionReceiver(ConsumerGroup, "1", EventPosition.FromSequenceNumber(2, isInclusive: true), broker.ConnectionString);

        var received = await Clients.ReceiveAsync(receiver, 2);

        Assert.Equal([2L, 3], received.Select(e => e.SequenceNumber));
        Assert.Equal(["c", "d"], received.Select(Clients.Text));
    }

    [Fact]
    public async Task A_receiver_from_a_sequence_number_exclusive_starts_after_that_event()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await SendAsync(broker, "1", "a", "b", "c", "d");
        await using var receiver = new PartitionReceiver(ConsumerGroup, "1", EventPosition.FromSequenceNumber(2, isInclusive: false), broker.ConnectionString);

        var received = await Clients.ReceiveAsync(receiver, 1);

        Assert.Equal(3, Assert.Single(received).SequenceNumber);
    }

    [Fact]
    public async Task A_receiver_from_an_offset_exclusive_starts_after_the_event_at_that_offset()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await SendAsync(broker, "2", "a", "b", "c");
        var offsetOfB = broker.EventsIn("2")[1].Offset;
        await using var receiver = new PartitionReceiver(ConsumerGroup, "2", EventPosition.FromOffset(offsetOfB, isInclusive: false), broker.ConnectionString);

        var received = await Clients.ReceiveAsync(receiver, 1);

        Assert.Equal("c", Clients.Text(Assert.Single(received)));
    }

    [Fact]
    public async Task A_receiver_from_an_enqueued_time_skips_events_enqueued_until_then()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await SendAsync(broker, "3", "old");
        var oldEnqueued = broker.EventsIn("3")[0].EnqueuedTime;
        await Task.Delay(20); // so that the next event is stored in a later millisecond
        await SendAsync(broker, "3", "new");
        await using var receiver = new PartitionReceiver(ConsumerGroup, "3", EventPosition.FromEnqueuedTime(oldEnqueued), broker.ConnectionString);

        var received = await Clients.ReceiveAsync(receiver, 1);

        Assert.Equal("new", Clients.Text(Assert.Single(received)));
    }

    [Fact]
    public async Task A_receiver_from_latest_sees_only_events_sent_after_it_attached()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await SendAsync(broker, "0", "before");
        await using var receiver = new PartitionReceiver(ConsumerGroup, "0", EventPosition.Latest, broker.ConnectionString);
        var nothingYet = await receiver.ReceiveBatchAsync(10, TimeSpan.FromMilliseconds(200)); // attaches the link

        await SendAsync(broker, "0", "after-1", "after-2");
        var received = await Clients.ReceiveAsync(receiver, 2);

        Assert.Empty(nothingYet);
        Assert.Equal(["after-1", "after-2"], received.Select(Clients.Text));
        Assert.Equal([1L, 2], received.Select(e => e.SequenceNumber));
    }

    [Fact]
    public async Task A_receiver_resumes_after_its_last_event_when_its_connection_is_dropped()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await SendAsync(broker, "1", "a", "b");
        await using var receiver = new PartitionReceiver(
            ConsumerGroup, "1", EventPosition.Earliest, broker.ConnectionString, new PartitionReceiverOptions { RetryOptions = Clients.QuickRetries(3) });
        var beforeDrop = await Clients.ReceiveAsync(receiver, 2);

        broker.DropAllConnections();
        await SendAsync(broker, "1", "c", "d");
        var afterDrop = await Clients.ReceiveAsync(receiver, 2);

        Assert.Equal(["a", "b"], beforeDrop.Select(Clients.Text));
        Assert.Equal(["c", "d"], afterDrop.Select(Clients.Text));
        Assert.True(broker.ConnectionsAccepted >= 4, "the receiver reconnected");
    }

    [Fact]
    public async Task The_consumer_client_reads_a_partition_from_earliest()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await SendAsync(broker, "2", "x", "y");
        await using var consumer = new EventHubConsumerClient(ConsumerGroup, broker.ConnectionString);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var received = new List<string>();
        await foreach (var partitionEvent in consumer.ReadEventsFromPartitionAsync("2", EventPosition.Earliest, guard.Token))
        {
            received.Add(Clients.Text(partitionEvent.Data));
            if (received.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["x", "y"], received);
    }

    [Fact]
    public async Task A_receiver_on_an_unknown_consumer_group_fails_as_not_found()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var receiver = new PartitionReceiver(
            "nobody", "0", EventPosition.Earliest, broker.ConnectionString, new PartitionReceiverOptions { RetryOptions = Clients.QuickRetries(0) });

        var failure = await Assert.ThrowsAsync<EventHubsException>(() => receiver.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(200)));

        Assert.Equal(EventHubsException.FailureReason.ResourceNotFound, failure.Reason);
    }

    private static async Task SendAsync(FakeEventHubsBroker broker, string partitionId, params string[] bodies)
    {
        await using var producer = Clients.Producer(broker);
        await producer.SendAsync(bodies.Select(b => Clients.Event(b, label: $"label-of-{b}")), new SendEventOptions { PartitionId = partitionId });
    }
}
