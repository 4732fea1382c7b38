using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace PromLake.EventHubsFake;

/// <summary>
///   The $management node: READ of the hub (com.microsoft:eventhub) and of a partition
///   (com.microsoft:partition). The client casts each map entry to an exact CLR type, so the AMQP
///   types matter: string keys, partition_ids an array of strings, sequence numbers longs, the
///   offset a string, times timestamps, is_partition_empty a boolean.
/// </summary>
internal static class ManagementNode
{
    public const string Address = "$management";

    public static Message Answer(Message request, InMemoryEventHub hub)
    {
        var properties = request.ApplicationProperties;
        var operation = properties?["operation"] as string;
        var type = properties?["type"] as string;
        var name = properties?["name"] as string;

        if (operation != "READ")
        {
            return Status(501, $"The fake broker does not implement $management operation '{operation}'.");
        }

        if (name is null || !hub.IsNamed(name))
        {
            // The client maps 404 plus this wording to EventHubsException.FailureReason.ResourceNotFound.
            return Status(404, $"The messaging entity '{name}' could not be found. status-code: 404");
        }

        switch (type)
        {
            case "com.microsoft:eventhub":
                return Ok(new Map
                {
                    ["name"] = hub.Name,
                    ["type"] = type,
                    ["created_at"] = hub.CreatedAt,
                    ["partition_count"] = hub.PartitionIds.Length,
                    ["partition_ids"] = hub.PartitionIds,
                });
            case "com.microsoft:partition":
                var partitionId = properties?["partition"] as string;
                if (!hub.TryGetPartition(partitionId, out var partition))
                {
                    return Status(404, $"The messaging entity '{hub.Name}/Partitions/{partitionId}' could not be found. status-code: 404");
                }

                var summary = partition.Summarize();
                return Ok(new Map
                {
                    ["name"] = hub.Name,
                    ["type"] = type,
                    ["partition"] = partition.PartitionId,
                    ["begin_sequence_number"] = summary.BeginSequenceNumber,
                    ["last_enqueued_sequence_number"] = summary.LastSequenceNumber,
                    ["last_enqueued_offset"] = summary.LastOffset,
                    ["last_enqueued_time_utc"] = summary.LastEnqueuedTimeUtc,
                    ["is_partition_empty"] = summary.IsEmpty,
                });
            default:
                return Status(501, $"The fake broker cannot READ resources of type '{type}'.");
        }
    }

    private static Message Ok(Map body)
    {
        var response = new Message(body);
        response.ApplicationProperties = StatusProperties(200, "OK");
        return response;
    }

    private static Message Status(int code, string description) =>
        new() { ApplicationProperties = StatusProperties(code, description) };

    private static ApplicationProperties StatusProperties(int code, string description) => new()
    {
        ["status-code"] = code,
        ["status-description"] = description,
    };
}
