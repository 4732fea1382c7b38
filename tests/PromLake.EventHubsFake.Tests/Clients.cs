using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Producer;

namespace PromLake.EventHubsFake.Tests;

/// <summary>Client set-up shared by the tests: quick retries, and receiving an exact number of events.</summary>
internal static class Clients
{
    public static EventHubProducerClient Producer(FakeEventHubsBroker broker, int maximumRetries = 3) =>
        new(broker.ConnectionString, new EventHubProducerClientOptions { RetryOptions = QuickRetries(maximumRetries) });

    public static EventHubsRetryOptions QuickRetries(int maximumRetries) => new()
    {
        Mode = EventHubsRetryMode.Fixed,
        MaximumRetries = maximumRetries,
        Delay = TimeSpan.FromMilliseconds(20),

        // The client adds 5–30 s to the delay after server-busy; the cap keeps retrying tests fast.
        MaximumDelay = TimeSpan.FromMilliseconds(100),
        TryTimeout = TimeSpan.FromSeconds(10),
    };

    public static EventData Event(string body, string? label = null)
    {
        var data = new EventData(System.Text.Encoding.UTF8.GetBytes(body));
        if (label is not null)
        {
            data.Properties["label"] = label;
        }

        return data;
    }

    /// <summary>Receives until <paramref name="count" /> events have arrived; fails the test after 10 seconds.</summary>
    public static async Task<List<EventData>> ReceiveAsync(PartitionReceiver receiver, int count)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new List<EventData>();
        while (received.Count < count)
        {
            received.AddRange(await receiver.ReceiveBatchAsync(count - received.Count, TimeSpan.FromMilliseconds(200), guard.Token));
        }

        return received;
    }

    public static string Text(EventData data) => data.EventBody.ToString();
}
