using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;

namespace PromLake.Log.EventHubs;

/// <summary>
/// The read side of the log in Azure: reads a partition from a sequence number
/// in bounded batches. Positions are Event Hubs sequence numbers; the record after
/// sequence number n is at n + 1. One receiver per shard is kept open while reads
/// continue where the last one ended. With an owner level, opening a receiver
/// disconnects any lower-level receiver of the same partition and consumer group,
/// so a compactor that lost its lease also loses the partition at the broker.
/// </summary>
public sealed class EventHubsLogReader : ILogReader, IAsyncDisposable
{
    private readonly EventHubsLogOptions _options;
    private readonly ShardReceiver[] _receivers;
    private readonly Lazy<EventHubConsumerClient> _properties;

    public EventHubsLogReader(EventHubsLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        ShardCount = options.ShardCount;
        _receivers = new ShardReceiver[ShardCount];
        for (var i = 0; i < ShardCount; i++)
        {
            _receivers[i] = new ShardReceiver();
        }

        _properties = new Lazy<EventHubConsumerClient>(() => EventHubsConnection.Consumer(options));
    }

    /// <summary>The consumer group this reader reads in.</summary>
    public string ConsumerGroup => _options.ConsumerGroup;

    public int ShardCount { get; }

    /// <summary>
    /// Sets the owner level of the shard's receiver (the epoch of the shard's lease):
    /// the next read reopens the receiver with it, and a receiver with a higher level,
    /// in this process or another, takes the partition from a lower one.
    /// </summary>
    public void SetOwnerLevel(int shard, long ownerLevel)
    {
        if ((uint)shard >= (uint)ShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"The log has shards 0 to {ShardCount - 1}");
        }

        var state = _receivers[shard];
        state.OwnerLevel = ownerLevel;
        state.NextPosition = -1;
    }

    public async ValueTask<LogBatch> ReadAsync(int shard, long fromPosition, int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if ((uint)shard >= (uint)ShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"The log has shards 0 to {ShardCount - 1}");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        var state = _receivers[shard];
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.Receiver is null || state.NextPosition != fromPosition)
            {
                if (state.Receiver is not null)
                {
                    await state.Receiver.CloseAsync(cancellationToken).ConfigureAwait(false);
                }

                // Sequence numbers start at 0; Earliest also covers a partition whose first events have expired.
                var position = fromPosition == LogPosition.Start ? EventPosition.Earliest : EventPosition.FromSequenceNumber(fromPosition, isInclusive: true);
                state.Receiver = EventHubsConnection.Receiver(_options, shard, position, state.OwnerLevel);
                state.NextPosition = fromPosition;
            }

            var received = await state.Receiver.ReceiveBatchAsync(maxEvents, maxWait, cancellationToken).ConfigureAwait(false);
            var records = new List<LogRecord>();
            foreach (var e in received)
            {
                records.Add(new LogRecord(e.SequenceNumber, e.SequenceNumber + 1, e.EventBody.ToMemory()));
                state.NextPosition = e.SequenceNumber + 1;
            }

            return new LogBatch(records, state.NextPosition);
        }
        catch
        {
            // A failed receiver (stolen, disconnected) is replaced on the next read.
            if (state.Receiver is not null)
            {
                await state.Receiver.DisposeAsync().ConfigureAwait(false);
                state.Receiver = null;
            }

            throw;
        }
        finally
        {
            state.Gate.Release();
        }
    }

    public async ValueTask<long> GetEndPositionAsync(int shard, CancellationToken cancellationToken = default)
    {
        if ((uint)shard >= (uint)ShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"The log has shards 0 to {ShardCount - 1}");
        }

        var partition = shard.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var properties = await _properties.Value.GetPartitionPropertiesAsync(partition, cancellationToken).ConfigureAwait(false);
        // Sequence numbers start at 0 and the next event is at last + 1; a partition
        // that never held an event reports -1.
        return Math.Max(LogPosition.Start, properties.LastEnqueuedSequenceNumber + 1);
    }

    public async ValueTask DisposeAsync()
    {
        if (_properties.IsValueCreated)
        {
            await _properties.Value.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var state in _receivers)
        {
            if (state.Receiver is not null)
            {
                await state.Receiver.DisposeAsync().ConfigureAwait(false);
            }

            state.Gate.Dispose();
        }
    }

    private sealed class ShardReceiver
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public PartitionReceiver? Receiver { get; set; }

        public long NextPosition { get; set; }

        public long? OwnerLevel { get; set; }
    }
}
