using Azure.Core;
using Azure.Identity;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Producer;

namespace PromLake.Log.EventHubs;

/// <summary>Builds the Event Hubs clients from <see cref="EventHubsLogOptions"/>: a connection string or a managed identity.</summary>
internal static class EventHubsConnection
{
    public static EventHubsRetryOptions RetryOptions(EventHubsLogOptions options) => new()
    {
        Mode = EventHubsRetryMode.Exponential,
        MaximumRetries = options.MaxRetries,
        TryTimeout = options.TryTimeout,
        Delay = TimeSpan.FromMilliseconds(100),
        MaximumDelay = TimeSpan.FromSeconds(2),
    };

    public static EventHubProducerClient Producer(EventHubsLogOptions options)
    {
        var clientOptions = new EventHubProducerClientOptions { RetryOptions = RetryOptions(options) };
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new EventHubProducerClient(options.FullyQualifiedNamespace, options.HubName, Credential(options), clientOptions)
            : new EventHubProducerClient(options.ConnectionString, options.HubName, clientOptions);
    }

    /// <summary>A client for partition properties (the end of a partition) in the options' consumer group.</summary>
    public static EventHubConsumerClient Consumer(EventHubsLogOptions options)
    {
        var clientOptions = new EventHubConsumerClientOptions { RetryOptions = RetryOptions(options) };
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new EventHubConsumerClient(options.ConsumerGroup, options.FullyQualifiedNamespace, options.HubName, Credential(options), clientOptions)
            : new EventHubConsumerClient(options.ConsumerGroup, options.ConnectionString, options.HubName, clientOptions);
    }

    public static PartitionReceiver Receiver(EventHubsLogOptions options, int shard, EventPosition position, long? ownerLevel)
    {
        var receiverOptions = new PartitionReceiverOptions
        {
            RetryOptions = RetryOptions(options),
            OwnerLevel = ownerLevel,
            PrefetchCount = 300,
        };
        var partition = shard.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new PartitionReceiver(options.ConsumerGroup, partition, position, options.FullyQualifiedNamespace, options.HubName, Credential(options), receiverOptions)
            : new PartitionReceiver(options.ConsumerGroup, partition, position, options.ConnectionString, options.HubName, receiverOptions);
    }

    private static TokenCredential Credential(EventHubsLogOptions options) =>
        string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId));
}
