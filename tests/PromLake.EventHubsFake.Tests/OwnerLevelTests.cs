using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;

namespace PromLake.EventHubsFake.Tests;

public sealed class OwnerLevelTests
{
    private const string ConsumerGroup = EventHubConsumerClient.DefaultConsumerGroupName;

    [Fact]
    public async Task A_receiver_with_a_higher_owner_level_disconnects_the_lower_one()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var lower = Receiver(broker, ownerLevel: 1);
        await using var higher = Receiver(broker, ownerLevel: 2);
        await lower.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100));

        await higher.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100));
        var failure = await Assert.ThrowsAsync<EventHubsException>(() => lower.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(500)));

        Assert.Equal(EventHubsException.FailureReason.ConsumerDisconnected, failure.Reason);
    }

    [Fact]
    public async Task A_receiver_with_an_owner_level_disconnects_one_without()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var plain = Receiver(broker, ownerLevel: null);
        await using var owner = Receiver(broker, ownerLevel: 0);
        await plain.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100));

        await owner.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100));
        var failure = await Assert.ThrowsAsync<EventHubsException>(() => plain.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(500)));

        Assert.Equal(EventHubsException.FailureReason.ConsumerDisconnected, failure.Reason);
    }

    [Fact]
    public async Task A_receiver_with_a_lower_owner_level_is_refused_while_a_higher_one_reads()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var higher = Receiver(broker, ownerLevel: 5);
        await using var lower = Receiver(broker, ownerLevel: 4);
        await higher.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100));

        var failure = await Assert.ThrowsAsync<EventHubsException>(() => lower.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100)));

        Assert.Equal(EventHubsException.FailureReason.ConsumerDisconnected, failure.Reason);
        Assert.Empty(await higher.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Owner_levels_apply_per_partition()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var onZero = Receiver(broker, ownerLevel: 9, partitionId: "0");
        await using var onOne = Receiver(broker, ownerLevel: 1, partitionId: "1");

        await onZero.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100));
        await onOne.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100));

        Assert.Empty(await onZero.ReceiveBatchAsync(1, TimeSpan.FromMilliseconds(100)));
    }

    private static PartitionReceiver Receiver(FakeEventHubsBroker broker, long? ownerLevel, string partitionId = "0") =>
        new(ConsumerGroup, partitionId, EventPosition.Earliest, broker.ConnectionString, new PartitionReceiverOptions
        {
            OwnerLevel = ownerLevel,
            RetryOptions = Clients.QuickRetries(0),
        });
}
