using PromLake.Protocol.LogEvents;

namespace PromLake.Ingest;

/// <summary>Configuration section <c>PromLake:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string Section = "PromLake:Ingest";

    /// <summary>
    /// Labels that tell HA replicas apart. They are left out of the shard hash so
    /// both replicas of a series land in one shard, where the compactor merges them.
    /// </summary>
    public List<string> ReplicaLabels { get; set; } = ["__replica__", "prometheus_replica"];

    /// <summary>A shard's part of a request is split into events of about this size (64 KiB by default).</summary>
    public int TargetEventBytes { get; set; } = IngestEventFormat.DefaultTargetEventBytes;

    /// <summary>How long a request may wait for the log before the sender is told to retry (503).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        if (TargetEventBytes is < 1024 or > IngestEventFormat.MaxEventBytes / 2)
        {
            throw new InvalidOperationException(
                $"{Section}:{nameof(TargetEventBytes)} must be between 1024 and {IngestEventFormat.MaxEventBytes / 2} (it is {TargetEventBytes})");
        }

        if (PublishTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Section}:{nameof(PublishTimeout)} must be positive");
        }

        foreach (var label in ReplicaLabels)
        {
            if (string.IsNullOrEmpty(label))
            {
                throw new InvalidOperationException($"{Section}:{nameof(ReplicaLabels)} has an empty label name");
            }
        }
    }
}
