namespace PromLake.Log.EventHubs;

/// <summary>
/// Configuration section <c>PromLake:EventHubs</c>: the hub that carries the ingest
/// log in Azure. Set either a connection string (local emulators, the fake
/// broker, or keys) or a fully qualified namespace, which authenticates with a
/// managed identity (the recommended way in Azure: no keys at all).
/// </summary>
public sealed class EventHubsLogOptions
{
    public const string Section = "PromLake:EventHubs";

    /// <summary>e.g. <c>Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=promlake</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>e.g. <c>mynamespace.servicebus.windows.net</c>; used with a managed identity.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>The client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>The hub's name; may be omitted when the connection string has an EntityPath.</summary>
    public string? HubName { get; set; }

    /// <summary>The compactor's consumer group.</summary>
    public string ConsumerGroup { get; set; } = "$Default";

    /// <summary>
    /// The consumer group queries read the log tail in (data acknowledged but not yet
    /// in a block). It should differ from <see cref="ConsumerGroup"/>: while a
    /// compactor holds a partition with an owner level, the service refuses readers
    /// without one in the same group.
    /// </summary>
    public string QueryConsumerGroup { get; set; } = "$Default";

    /// <summary>
    /// Shards the write path spreads series over; must equal the hub's partition
    /// count, which is checked at start-up (partitions cannot be renumbered, so a
    /// mismatch would send series to shards no reader owns).
    /// </summary>
    public int ShardCount { get; set; } = 4;

    /// <summary>Attempts after the first for a failed send or read, before the write is answered 503.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>How long one attempt may take.</summary>
    public TimeSpan TryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(FullyQualifiedNamespace);

    /// <summary>The same hub, read in the query consumer group.</summary>
    public EventHubsLogOptions ForQueries() => new()
    {
        ConnectionString = ConnectionString,
        FullyQualifiedNamespace = FullyQualifiedNamespace,
        ManagedIdentityClientId = ManagedIdentityClientId,
        HubName = HubName,
        ConsumerGroup = QueryConsumerGroup,
        QueryConsumerGroup = QueryConsumerGroup,
        ShardCount = ShardCount,
        MaxRetries = MaxRetries,
        TryTimeout = TryTimeout,
    };

    public void Validate()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString) && !string.IsNullOrWhiteSpace(FullyQualifiedNamespace))
        {
            throw new InvalidOperationException($"{Section}: set either ConnectionString or FullyQualifiedNamespace, not both");
        }

        if (!IsConfigured)
        {
            throw new InvalidOperationException($"{Section}: set ConnectionString or FullyQualifiedNamespace");
        }

        if (!string.IsNullOrWhiteSpace(FullyQualifiedNamespace) && string.IsNullOrWhiteSpace(HubName))
        {
            throw new InvalidOperationException($"{Section}:HubName is required with FullyQualifiedNamespace");
        }

        if (ShardCount is < 1 or > 1024)
        {
            throw new InvalidOperationException($"{Section}:ShardCount must be between 1 and 1024 (it is {ShardCount})");
        }

        if (string.IsNullOrWhiteSpace(ConsumerGroup))
        {
            throw new InvalidOperationException($"{Section}:ConsumerGroup must not be empty");
        }

        if (string.IsNullOrWhiteSpace(QueryConsumerGroup))
        {
            throw new InvalidOperationException($"{Section}:QueryConsumerGroup must not be empty");
        }

        if (MaxRetries is < 0 or > 10)
        {
            throw new InvalidOperationException($"{Section}:MaxRetries must be between 0 and 10 (it is {MaxRetries})");
        }

        if (TryTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Section}:TryTimeout must be positive");
        }
    }
}
