namespace PromLake.EventHubsFake;

internal enum EntityKind
{
    Hub,
    HubPartition,
    ConsumerPartition,
}

/// <summary>
///   A link address naming part of an Event Hub. The client builds them from its endpoint URI's
///   absolute path, so they start with a slash: <c>/&lt;hub&gt;</c> and
///   <c>/&lt;hub&gt;/Partitions/&lt;id&gt;</c> for senders,
///   <c>/&lt;hub&gt;/ConsumerGroups/&lt;group&gt;/Partitions/&lt;id&gt;</c> for receivers.
/// </summary>
internal readonly record struct EntityAddress(EntityKind Kind, string Hub, string? ConsumerGroup, string? PartitionId)
{
    public static bool TryParse(string? address, out EntityAddress entity)
    {
        entity = default;
        if (string.IsNullOrEmpty(address))
        {
            return false;
        }

        // Other clients send the full URI or no leading slash; accept both.
        if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" or "sb")
        {
            address = uri.AbsolutePath;
        }

        var segments = address.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments.Length)
        {
            case 1:
                entity = new EntityAddress(EntityKind.Hub, segments[0], null, null);
                return true;
            case 3 when segments[1].Equals("Partitions", StringComparison.OrdinalIgnoreCase):
                entity = new EntityAddress(EntityKind.HubPartition, segments[0], null, segments[2]);
                return true;
            case 5 when segments[1].Equals("ConsumerGroups", StringComparison.OrdinalIgnoreCase)
                     && segments[3].Equals("Partitions", StringComparison.OrdinalIgnoreCase):
                entity = new EntityAddress(EntityKind.ConsumerPartition, segments[0], segments[2], segments[4]);
                return true;
            default:
                return false;
        }
    }
}
