using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace PromLake.EventHubsFake.Tests;

public sealed class FaultTests
{
    private static readonly SendEventOptions ToPartitionZero = new() { PartitionId = "0" };

    [Fact]
    public async Task Sends_fail_as_service_busy_while_the_switch_is_on_and_succeed_once_it_is_off()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker, maximumRetries: 0);
        broker.RejectSendsWithServerBusy = true;

        var failure = await Assert.ThrowsAsync<EventHubsException>(() => producer.SendAsync([Clients.Event("rejected")], ToPartitionZero));
        broker.RejectSendsWithServerBusy = false;
        await producer.SendAsync([Clients.Event("accepted")], ToPartitionZero);

        Assert.Equal(EventHubsException.FailureReason.ServiceBusy, failure.Reason);
        Assert.True(failure.IsTransient);
        Assert.Equal(["accepted"], broker.EventsIn("0").Select(e => System.Text.Encoding.UTF8.GetString(e.Body.Span)));
    }

    [Fact]
    public async Task The_client_retries_through_a_few_server_busy_replies()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker, maximumRetries: 3);
        broker.RejectNextSendsWithServerBusy(2);

        await producer.SendAsync([Clients.Event("third time lucky")], ToPartitionZero);

        Assert.Single(broker.EventsIn("0"));
    }

    // The client treats a lost connection as transient: it reconnects and sends the batch again.
    // Dropped before the broker stored the batch, the retry stores it exactly once.
    [Fact]
    public async Task A_connection_dropped_before_storing_is_retried_on_a_new_connection_and_stored_once()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker, maximumRetries: 3);
        await producer.SendAsync([Clients.Event("warm-up")], ToPartitionZero);
        broker.DropConnectionOnNextSend(storeFirst: false);

        await producer.SendAsync([Clients.Event("a"), Clients.Event("b")], ToPartitionZero);

        Assert.Equal(["warm-up", "a", "b"], Bodies(broker.EventsIn("0")));
        Assert.Equal(2, broker.ConnectionsAccepted);
    }

    // Dropped after the broker stored the batch, the client never learns it succeeded: its retry
    // stores the batch a second time. Event Hubs publishing is at-least-once.
    [Fact]
    public async Task A_connection_dropped_after_storing_is_retried_and_the_batch_is_stored_twice()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker, maximumRetries: 3);
        broker.DropConnectionOnNextSend(storeFirst: true);

        await producer.SendAsync([Clients.Event("a"), Clients.Event("b")], ToPartitionZero);

        Assert.Equal(["a", "b", "a", "b"], Bodies(broker.EventsIn("0")));
    }

    // Without retries the send fails. The 5.12 client does not wrap every connection loss: what
    // reaches the caller is Microsoft.Azure.Amqp's OperationCanceledException ("the owner is being
    // closed") when the drop cancels the pending delivery, or a transient EventHubsException.
    [Fact]
    public async Task Without_retries_a_dropped_connection_fails_the_send_and_the_next_send_reconnects()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker, maximumRetries: 0);
        await producer.SendAsync([Clients.Event("warm-up")], ToPartitionZero);
        broker.DropConnectionOnNextSend(storeFirst: false);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => producer.SendAsync([Clients.Event("lost")], ToPartitionZero));
        await producer.SendAsync([Clients.Event("after")], ToPartitionZero);

        Assert.True(failure is OperationCanceledException or EventHubsException { IsTransient: true }, $"unexpected {failure}");
        Assert.Equal(["warm-up", "after"], Bodies(broker.EventsIn("0")));
    }

    [Fact]
    public async Task Sends_and_property_reads_still_succeed_with_a_reply_delay()
    {
        await using var broker = await FakeEventHubsBroker.StartAsync();
        await using var producer = Clients.Producer(broker);
        broker.ReplyDelay = TimeSpan.FromMilliseconds(50);

        await producer.SendAsync([Clients.Event("slow")], ToPartitionZero);
        var properties = await producer.GetPartitionPropertiesAsync("0");

        Assert.Equal(0, properties.LastEnqueuedSequenceNumber);
    }

    private static string[] Bodies(IReadOnlyList<FakeEvent> events) =>
        [.. events.Select(e => System.Text.Encoding.UTF8.GetString(e.Body.Span))];
}
