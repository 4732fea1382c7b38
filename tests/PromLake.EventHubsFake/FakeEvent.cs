namespace PromLake.EventHubsFake;

/// <summary>
///   An event as a partition of the fake broker holds it: what the publisher sent plus the
///   position the broker gave it. Immutable.
/// </summary>
public sealed class FakeEvent
{
    internal FakeEvent(
        string partitionId,
        long sequenceNumber,
        long offset,
        DateTimeOffset enqueuedTime,
        ReadOnlyMemory<byte> body,
        IReadOnlyDictionary<string, object?> properties,
        string? partitionKey,
        byte[] deliveryPayload)
    {
        PartitionId = partitionId;
        SequenceNumber = sequenceNumber;
        NumericOffset = offset;
        Offset = offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        EnqueuedTime = enqueuedTime;
        Body = body;
        Properties = properties;
        PartitionKey = partitionKey;
        DeliveryPayload = deliveryPayload;
    }

    /// <summary>The partition that holds the event.</summary>
    public string PartitionId { get; }

    /// <summary>The position of the event in its partition: 0 for the first, then 1, 2, ….</summary>
    public long SequenceNumber { get; }

    /// <summary>
    ///   The offset consumers see as <c>EventData.OffsetString</c>: the byte position of the event in its
    ///   partition, written in decimal.
    /// </summary>
    public string Offset { get; }

    /// <summary>When the broker stored the event, to the millisecond (the precision of an AMQP timestamp).</summary>
    public DateTimeOffset EnqueuedTime { get; }

    /// <summary>The event body: its Data sections, concatenated.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The application properties the publisher set (<c>EventData.Properties</c>).</summary>
    public IReadOnlyDictionary<string, object?> Properties { get; }

    /// <summary>The partition key the publisher sent, if any.</summary>
    public string? PartitionKey { get; }

    internal long NumericOffset { get; }

    /// <summary>The encoded AMQP message a consumer receives, system annotations included.</summary>
    internal byte[] DeliveryPayload { get; }
}
