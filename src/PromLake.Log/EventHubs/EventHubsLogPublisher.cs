using System.Globalization;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace PromLake.Log.EventHubs;

/// <summary>
/// The write side of the log in Azure: each shard is the Event Hubs partition
/// with the same index, and a shard's events go out in batches within the
/// hub's message size (1 MB). The client retries transient failures within
/// <see cref="EventHubsLogOptions.MaxRetries"/> × <see cref="EventHubsLogOptions.TryTimeout"/>;
/// what still fails (ServiceBusy, an unreachable hub) is thrown, and the write
/// endpoint answers 503 with Retry-After, acknowledging nothing.
/// </summary>
public sealed class EventHubsLogPublisher : ILogPublisher, IAsyncDisposable
{
    private readonly EventHubProducerClient _producer;
    private readonly string[] _partitionIds;

    public EventHubsLogPublisher(EventHubsLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _producer = EventHubsConnection.Producer(options);
        ShardCount = options.ShardCount;
        _partitionIds = new string[ShardCount];
        for (var i = 0; i < ShardCount; i++)
        {
            _partitionIds[i] = i.ToString(CultureInfo.InvariantCulture);
        }
    }

    public int ShardCount { get; }

    /// <summary>
    /// Reads the hub's partitions and refuses to go on unless they are exactly
    /// "0" … "ShardCount-1": shards map to partitions by index.
    /// </summary>
    public async Task EnsurePartitionsMatchAsync(CancellationToken cancellationToken = default)
    {
        var ids = await _producer.GetPartitionIdsAsync(cancellationToken).ConfigureAwait(false);
        if (ids.Length != ShardCount || !ids.Order(StringComparer.Ordinal).SequenceEqual(_partitionIds.Order(StringComparer.Ordinal)))
        {
            throw new InvalidOperationException(
                $"Event Hub '{_producer.EventHubName}' has {ids.Length} partitions ({string.Join(", ", ids)}) but {EventHubsLogOptions.Section}:ShardCount is {ShardCount}; "
                + "set ShardCount to the hub's partition count (a hub's partition count cannot shrink)");
        }
    }

    public async ValueTask PublishAsync(int shard, IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken cancellationToken = default)
    {
        if ((uint)shard >= (uint)ShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"The log has shards 0 to {ShardCount - 1}");
        }

        ArgumentNullException.ThrowIfNull(events);
        var options = new CreateBatchOptions { PartitionId = _partitionIds[shard] };
        var next = 0;
        while (next < events.Count)
        {
            using var batch = await _producer.CreateBatchAsync(options, cancellationToken).ConfigureAwait(false);
            while (next < events.Count && batch.TryAdd(new EventData(events[next])))
            {
                next++;
            }

            if (batch.Count == 0)
            {
                throw new ArgumentException($"an event of {events[next].Length} bytes is larger than the hub's maximum message size ({batch.MaximumSizeInBytes} bytes)", nameof(events));
            }

            await _producer.SendAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
