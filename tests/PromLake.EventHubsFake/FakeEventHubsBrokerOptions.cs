namespace PromLake.EventHubsFake;

/// <summary>
///   The options for a <see cref="FakeEventHubsBroker" />. The defaults describe the hub PromLake
///   publishes to, so a test needs no configuration at all.
/// </summary>
public sealed class FakeEventHubsBrokerOptions
{
    /// <summary>The name of the one Event Hub the broker serves.</summary>
    public string HubName { get; set; } = "promlake";

    /// <summary>The number of partitions; their identifiers are "0" to "PartitionCount - 1".</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>The consumer groups receivers may attach to.</summary>
    public IList<string> ConsumerGroups { get; set; } = ["$Default"];

    /// <summary>The loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    ///   The largest message, in bytes, a sender may publish. It is announced as max-message-size on
    ///   every attach, which is where the client reads the limit it builds batches against.
    /// </summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(HubName) || HubName.Contains('/'))
        {
            throw new ArgumentException($"HubName '{HubName}' must be a non-empty name without '/'.", nameof(HubName));
        }

        if (PartitionCount is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(PartitionCount), PartitionCount, "PartitionCount must be between 1 and 1024.");
        }

        if (ConsumerGroups is null || ConsumerGroups.Count == 0)
        {
            throw new ArgumentException("At least one consumer group is required.", nameof(ConsumerGroups));
        }

        foreach (var group in ConsumerGroups)
        {
            if (string.IsNullOrWhiteSpace(group) || group.Contains('/'))
            {
                throw new ArgumentException($"Consumer group '{group}' must be a non-empty name without '/'.", nameof(ConsumerGroups));
            }
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be between 0 and 65535.");
        }

        // The client needs room for at least one small event plus the batch envelope.
        if (MaxMessageSize < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, "MaxMessageSize must be at least 1024 bytes.");
        }
    }
}
