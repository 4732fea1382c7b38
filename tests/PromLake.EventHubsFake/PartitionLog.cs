using System.Diagnostics.CodeAnalysis;

namespace PromLake.EventHubsFake;

/// <summary>
///   One partition: an append-only list of events. Sequence numbers start at 0 and equal the
///   index in the list (nothing expires); an event's offset is its byte position in the partition.
/// </summary>
internal sealed class PartitionLog(string partitionId)
{
    private readonly object gate = new();
    private readonly List<FakeEvent> events = [];
    private long nextOffset;

    public string PartitionId { get; } = partitionId;

    /// <summary>Raised after events were appended, outside the lock.</summary>
    public event Action? Appended;

    public void Append(IReadOnlyList<EventMessage> messages)
    {
        lock (gate)
        {
            // AMQP timestamps carry milliseconds; trimming here makes EventsIn agree with what consumers see.
            var now = DateTime.UtcNow;
            var enqueued = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
            foreach (var message in messages)
            {
                long sequenceNumber = events.Count;
                var offset = nextOffset;
                var offsetText = offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
                events.Add(new FakeEvent(
                    PartitionId,
                    sequenceNumber,
                    offset,
                    new DateTimeOffset(enqueued),
                    message.Body(),
                    message.Properties(),
                    message.PartitionKey,
                    message.EncodeForDelivery(sequenceNumber, offsetText, enqueued)));
                nextOffset += message.EncodedSize;
            }
        }

        Appended?.Invoke();
    }

    public bool TryRead(long sequenceNumber, [NotNullWhen(true)] out FakeEvent? stored)
    {
        lock (gate)
        {
            if (sequenceNumber >= 0 && sequenceNumber < events.Count)
            {
                stored = events[(int)sequenceNumber];
                return true;
            }
        }

        stored = null;
        return false;
    }

    public FakeEvent[] Snapshot()
    {
        lock (gate)
        {
            return [.. events];
        }
    }

    /// <summary>The first sequence number a reader starting at <paramref name="start" /> receives.</summary>
    public long FirstSequenceNumberFor(StartPosition start)
    {
        lock (gate)
        {
            return start.Kind switch
            {
                StartKind.Earliest => 0,
                StartKind.Latest => events.Count,
                StartKind.SequenceNumber => Math.Max(0, start.Inclusive ? start.Value : start.Value + 1),
                StartKind.Offset => FirstIndexWhere(e => start.Inclusive ? e.NumericOffset >= start.Value : e.NumericOffset > start.Value),
                StartKind.EnqueuedTime => FirstIndexWhere(e => start.Inclusive
                    ? e.EnqueuedTime.ToUnixTimeMilliseconds() >= start.Value
                    : e.EnqueuedTime.ToUnixTimeMilliseconds() > start.Value),
                _ => throw new ArgumentOutOfRangeException(nameof(start), start.Kind, "Unknown start kind."),
            };
        }
    }

    public PartitionSummary Summarize()
    {
        lock (gate)
        {
            if (events.Count == 0)
            {
                return new PartitionSummary(IsEmpty: true, BeginSequenceNumber: -1, LastSequenceNumber: -1, LastOffset: "-1", LastEnqueuedTimeUtc: DateTime.MinValue);
            }

            var last = events[^1];
            return new PartitionSummary(false, 0, last.SequenceNumber, last.Offset, last.EnqueuedTime.UtcDateTime);
        }
    }

    // Offsets and enqueued times only grow along the list, so the first match is found by bisection.
    private long FirstIndexWhere(Func<FakeEvent, bool> isAtOrAfterStart)
    {
        int low = 0, high = events.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (isAtOrAfterStart(events[middle]))
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }
}

/// <summary>What the $management node reports about a partition.</summary>
internal readonly record struct PartitionSummary(
    bool IsEmpty,
    long BeginSequenceNumber,
    long LastSequenceNumber,
    string LastOffset,
    DateTime LastEnqueuedTimeUtc);
