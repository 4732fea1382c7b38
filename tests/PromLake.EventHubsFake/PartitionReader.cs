using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace PromLake.EventHubsFake;

/// <summary>
///   The broker's end of a receiver link on <c>/&lt;hub&gt;/ConsumerGroups/&lt;group&gt;/Partitions/&lt;id&gt;</c>.
///   It sends the partition's events from the filter's start position as the client grants credit,
///   then each new event as it is appended, until the link closes or a higher owner level takes it.
/// </summary>
internal sealed class PartitionReader : LinkEndpoint
{
    private readonly PartitionLog partition;
    private readonly PartitionOwnership ownership;
    private readonly object deliveryGate = new();
    private readonly object creditGate = new();
    private ListenerLink? link;
    private long nextSequenceNumber;
    private int deliveryScheduled;
    private int credit;
    private uint listenerCredit;
    private volatile bool closed;

    private PartitionReader(PartitionLog partition, PartitionOwnership ownership, long? ownerLevel)
    {
        this.partition = partition;
        this.ownership = ownership;
        OwnerLevel = ownerLevel;
    }

    /// <summary>The epoch the receiver attached with (the client's OwnerLevel), or null.</summary>
    public long? OwnerLevel { get; }

    public static void Attach(AttachContext context, PartitionLog partition, PartitionOwnership ownership, long? ownerLevel, StartPosition start)
    {
        var reader = new PartitionReader(partition, ownership, ownerLevel);
        if (!ownership.TryAdmit(reader, out var refusal, out var displaced))
        {
            context.Complete(new Error("amqp:link:stolen") { Description = refusal });
            return;
        }

        foreach (var loser in displaced)
        {
            loser.Steal($"New receiver with higher epoch of '{ownerLevel}' is created hence current receiver with epoch '{loser.OwnerLevel?.ToString() ?? "(none)"}' is getting disconnected.");
        }

        reader.link = context.Link;
        reader.nextSequenceNumber = partition.FirstSequenceNumberFor(start);
        partition.Appended += reader.ScheduleDelivery;
        context.Complete(reader, 0);
    }

    public override void OnFlow(FlowContext flowContext)
    {
        // AMQPNetLite hands over the change in credit as it computes it: the new limit minus its own
        // running credit, which it resets to zero whenever that change is not positive. Mirroring its
        // running value recovers the real credit the client granted, whatever the flow looked like.
        lock (creditGate)
        {
            var delta = flowContext.Messages;
            credit = Math.Max(0, unchecked((int)(listenerCredit + (uint)delta)));
            listenerCredit = delta <= 0 ? 0 : unchecked(listenerCredit + (uint)delta);
        }

        ScheduleDelivery();
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
    }

    public override void OnLinkClosed(ListenerLink closedLink, Error error)
    {
        closed = true;
        partition.Appended -= ScheduleDelivery;
        ownership.Release(this);
    }

    private void Steal(string description)
    {
        closed = true;
        partition.Appended -= ScheduleDelivery;
        try
        {
            // The client maps amqp:link:stolen to EventHubsException.FailureReason.ConsumerDisconnected.
            link?.Close(TimeSpan.Zero, new Error("amqp:link:stolen") { Description = description });
        }
        catch (AmqpException)
        {
        }
    }

    // Deliveries run on the thread pool, one pass at a time per link, so neither a publisher's
    // thread nor AMQPNetLite's I/O thread does the sending.
    private void ScheduleDelivery()
    {
        if (Interlocked.Exchange(ref deliveryScheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static reader => reader.DeliverAvailable(), this, preferLocal: false);
        }
    }

    private void DeliverAvailable()
    {
        lock (deliveryGate)
        {
            Volatile.Write(ref deliveryScheduled, 0);
            while (!closed && link is { } receiver && HasCredit() && partition.TryRead(nextSequenceNumber, out var stored))
            {
                lock (creditGate)
                {
                    credit--;
                    listenerCredit = unchecked(listenerCredit - 1);
                }

                try
                {
                    // A fresh ByteBuffer per delivery: framing advances its read position, the bytes stay shared.
                    var payload = stored.DeliveryPayload;
                    receiver.SendMessage(new Message(), new ByteBuffer(payload, 0, payload.Length, payload.Length));
                }
                catch (Exception e) when (e is AmqpException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                nextSequenceNumber++;
            }
        }
    }

    private bool HasCredit()
    {
        lock (creditGate)
        {
            return credit > 0;
        }
    }
}
