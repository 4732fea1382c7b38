using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;

namespace PromLake.EventHubsFake;

/// <summary>
///   Decides what every attach is for — $cbs, $management, a producer or a consumer — and completes
///   it, or refuses it with the error the service would give.
/// </summary>
internal sealed class LinkRouter(
    InMemoryEventHub hub,
    SendFaults faults,
    ClientConnections connections,
    int maxMessageSize) : ILinkProcessor
{
    private static readonly Symbol OwnerLevelProperty = new("com.microsoft:epoch");

    private readonly RequestResponseNode cbs = new(CbsNode.Address, CbsNode.Answer, static () => TimeSpan.Zero);
    private readonly RequestResponseNode management = new(ManagementNode.Address, request => ManagementNode.Answer(request, hub), () => faults.ReplyDelay);

    public void Process(AttachContext attachContext)
    {
        var attach = attachContext.Attach;

        // The reply to an attach echoes it. Without max-message-size in it the client cannot size a
        // batch (AmqpProducer reads MaxMessageSize.Value), so it is set on every link.
        attach.MaxMessageSize = (ulong)maxMessageSize;

        var connection = connections.For(attachContext.Link.Session.Connection);

        // attach.Role is the client's role: true when the client receives.
        var clientReceives = attach.Role;
        var address = clientReceives ? (attach.Source as Source)?.Address : (attach.Target as Target)?.Address;

        if (address == cbs.Address)
        {
            cbs.Attach(attachContext, connection);
            return;
        }

        if (address == management.Address)
        {
            management.Attach(attachContext, connection);
            return;
        }

        if (!EntityAddress.TryParse(address, out var entity) || !hub.IsNamed(entity.Hub))
        {
            attachContext.Complete(NotFound(address));
            return;
        }

        if (clientReceives)
        {
            AttachReceiver(attachContext, entity, address!);
        }
        else
        {
            AttachSender(attachContext, entity, connection, address!);
        }
    }

    private void AttachSender(AttachContext context, EntityAddress entity, ClientConnection connection, string address)
    {
        switch (entity.Kind)
        {
            case EntityKind.Hub:
                PublishEndpoint.Attach(context, hub, null, faults, connection, maxMessageSize);
                return;
            case EntityKind.HubPartition when hub.TryGetPartition(entity.PartitionId, out var partition):
                PublishEndpoint.Attach(context, hub, partition, faults, connection, maxMessageSize);
                return;
            default:
                context.Complete(NotFound(address));
                return;
        }
    }

    private void AttachReceiver(AttachContext context, EntityAddress entity, string address)
    {
        if (entity.Kind != EntityKind.ConsumerPartition
            || !hub.TryGetConsumerGroup(entity.ConsumerGroup, out var consumerGroup)
            || !hub.TryGetPartition(entity.PartitionId, out var partition))
        {
            context.Complete(NotFound(address));
            return;
        }

        if (!StartPosition.TryFromFilterSet((context.Attach.Source as Source)?.FilterSet, out var start, out var problem))
        {
            // The client maps this condition to an ArgumentException.
            context.Complete(new Error("com.microsoft:argument-error") { Description = problem });
            return;
        }

        long? ownerLevel = context.Attach.Properties?[OwnerLevelProperty] switch
        {
            long level => level,
            int level => level,
            _ => null,
        };

        PartitionReader.Attach(context, partition, hub.OwnershipOf(consumerGroup, partition.PartitionId), ownerLevel, start);
    }

    // The client turns amqp:not-found with this wording into EventHubsException.FailureReason.ResourceNotFound.
    private static Error NotFound(string? address) => new("amqp:not-found")
    {
        Description = $"The messaging entity '{address}' could not be found.",
    };
}
