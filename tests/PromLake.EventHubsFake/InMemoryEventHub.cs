using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PromLake.EventHubsFake;

/// <summary>The one Event Hub a broker serves: its partitions, consumer groups and receiver ownership.</summary>
internal sealed class InMemoryEventHub
{
    private readonly PartitionLog[] partitions;
    private readonly string[] consumerGroups;
    private readonly ConcurrentDictionary<(string ConsumerGroup, string PartitionId), PartitionOwnership> ownership = new();
    private int roundRobin = -1;

    public InMemoryEventHub(string name, int partitionCount, IEnumerable<string> consumerGroups)
    {
        Name = name;
        CreatedAt = DateTime.UtcNow;
        partitions = new PartitionLog[partitionCount];
        PartitionIds = new string[partitionCount];
        for (var i = 0; i < partitionCount; i++)
        {
            PartitionIds[i] = i.ToString(CultureInfo.InvariantCulture);
            partitions[i] = new PartitionLog(PartitionIds[i]);
        }

        this.consumerGroups = [.. consumerGroups];
    }

    public string Name { get; }

    public DateTime CreatedAt { get; }

    public string[] PartitionIds { get; }

    // Event Hubs entity names are case-insensitive.
    public bool IsNamed(string name) => string.Equals(name, Name, StringComparison.OrdinalIgnoreCase);

    public bool TryGetPartition(string? partitionId, [NotNullWhen(true)] out PartitionLog? partition)
    {
        partition = null;
        if (int.TryParse(partitionId, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && index >= 0 && index < partitions.Length
            && partitionId == PartitionIds[index])
        {
            partition = partitions[index];
        }

        return partition is not null;
    }

    public bool TryGetConsumerGroup(string? name, [NotNullWhen(true)] out string? consumerGroup)
    {
        foreach (var group in consumerGroups)
        {
            if (string.Equals(group, name, StringComparison.OrdinalIgnoreCase))
            {
                consumerGroup = group;
                return true;
            }
        }

        consumerGroup = null;
        return false;
    }

    public PartitionOwnership OwnershipOf(string consumerGroup, string partitionId) =>
        ownership.GetOrAdd((consumerGroup, partitionId), static _ => new PartitionOwnership());

    /// <summary>
    ///   The partition for a send to the hub itself: a stable hash of the partition key, or round
    ///   robin without one. (The service uses its own hash; PromLake always names a partition.)
    /// </summary>
    public PartitionLog Route(string? partitionKey)
    {
        if (partitionKey is null)
        {
            var next = (uint)Interlocked.Increment(ref roundRobin);
            return partitions[next % (uint)partitions.Length];
        }

        // FNV-1a over the UTF-16 code units: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in partitionKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return partitions[hash % (uint)partitions.Length];
    }
}
