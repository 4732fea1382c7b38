using System.Threading.Channels;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace PromLake.EventHubsFake;

/// <summary>
///   The broker's end of a producer link, on <c>/&lt;hub&gt;</c> or <c>/&lt;hub&gt;/Partitions/&lt;id&gt;</c>.
///   Transfers are handled one at a time in arrival order, so a reply delay or a fault never
///   reorders what a link publishes. Each is settled with Accepted once stored, or Rejected with
///   the error the service would give.
/// </summary>
internal sealed class PublishEndpoint : LinkEndpoint
{
    private const int TransferCredit = 100;

    private readonly InMemoryEventHub hub;
    private readonly PartitionLog? partition;
    private readonly SendFaults faults;
    private readonly ClientConnection connection;
    private readonly int maxMessageSize;
    private readonly Channel<Transfer> transfers = Channel.CreateUnbounded<Transfer>(new UnboundedChannelOptions { SingleReader = true });

    private PublishEndpoint(InMemoryEventHub hub, PartitionLog? partition, SendFaults faults, ClientConnection connection, int maxMessageSize)
    {
        this.hub = hub;
        this.partition = partition;
        this.faults = faults;
        this.connection = connection;
        this.maxMessageSize = maxMessageSize;
        _ = Task.Run(ProcessTransfersAsync);
    }

    /// <summary>Completes the attach of a producer link; <paramref name="partition" /> is null for a send to the hub.</summary>
    public static void Attach(AttachContext context, InMemoryEventHub hub, PartitionLog? partition, SendFaults faults, ClientConnection connection, int maxMessageSize) =>
        context.Complete(new PublishEndpoint(hub, partition, faults, connection, maxMessageSize), TransferCredit);

    public override void OnMessage(MessageContext messageContext)
    {
        // The transfer's buffer goes back to AMQPNetLite's pool when it is settled; copy the events out now.
        List<EventMessage>? events = null;
        string? problem = null;
        try
        {
            events = BatchEnvelope.Unpack(messageContext.Message);
        }
        catch (Exception e) when (e is FormatException or AmqpException or InvalidCastException)
        {
            problem = e.Message;
        }

        transfers.Writer.TryWrite(new Transfer(messageContext, events, problem));
    }

    public override void OnFlow(FlowContext flowContext)
    {
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
    }

    public override void OnLinkClosed(ListenerLink link, Error error) => transfers.Writer.TryComplete();

    private async Task ProcessTransfersAsync()
    {
        await foreach (var transfer in transfers.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var delay = faults.ReplyDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay).ConfigureAwait(false);
            }

            try
            {
                Process(transfer);
            }
            catch (Exception e) when (e is AmqpException or ObjectDisposedException or InvalidOperationException)
            {
                // The link or connection closed under us; the client has already seen that.
            }
        }
    }

    private void Process(Transfer transfer)
    {
        var context = transfer.Context;
        if (transfer.Events is not { } events)
        {
            context.Complete(new Error("amqp:decode-error") { Description = $"The transfer could not be read as events: {transfer.Problem}" });
            return;
        }

        if (faults.TakeServerBusy())
        {
            // The client maps this condition to EventHubsException.FailureReason.ServiceBusy, a transient failure.
            context.Complete(new Error("com.microsoft:server-busy") { Description = "The fake broker was told to answer server-busy." });
            return;
        }

        var size = 0L;
        foreach (var message in events)
        {
            size += message.EncodedSize;
        }

        if (size > maxMessageSize)
        {
            context.Complete(new Error("amqp:link:message-size-exceeded")
            {
                Description = $"The message of {size} bytes exceeds the limit of {maxMessageSize} bytes.",
            });
            return;
        }

        var target = partition ?? hub.Route(events.Count > 0 ? events[0].PartitionKey : null);
        switch (faults.TakeDrop())
        {
            case ConnectionDrop.BeforeStoring:
                connection.Drop();
                return;
            case ConnectionDrop.AfterStoring:
                target.Append(events);
                connection.Drop();
                return;
        }

        target.Append(events);
        context.Complete();
    }

    private sealed record Transfer(MessageContext Context, List<EventMessage>? Events, string? Problem);
}
