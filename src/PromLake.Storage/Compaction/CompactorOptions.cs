namespace PromLake.Storage.Compaction;

/// <summary>Configuration section <c>PromLake:Compactor</c>.</summary>
public sealed class CompactorOptions
{
    public const string Section = "PromLake:Compactor";

    /// <summary>The consumer name under which checkpoints and leases are kept.</summary>
    public string Consumer { get; set; } = "compactor";

    /// <summary>Flush buffered samples to level-0 blobs at least this often (freshness: acknowledged → blob).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>… or as soon as this many bytes of log events are buffered.</summary>
    public long FlushBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Events read from the log at a time.</summary>
    public int ReadBatchSize { get; set; } = 500;

    /// <summary>Labels that tell HA replicas apart; dropped from stored series, replicas merged.</summary>
    public List<string> ReplicaLabels { get; set; } = ["__replica__", "prometheus_replica"];

    /// <summary>How long to wait before retrying after storage fails (Azurite or Azure unreachable).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A bounded run (the Functions timer, <see cref="CompactionPass"/>) stops reading a shard after this long, then
    /// flushes and commits what it has buffered. Keep it well under host.json's functionTimeout (10 minutes): the
    /// final flush may take up to <see cref="CompactionPass.FinalFlushGrace"/> more.
    /// </summary>
    public TimeSpan MaxRunDuration { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>In a bounded run, a read that finds nothing new for this long means the shard is drained: flush, commit, stop.</summary>
    public TimeSpan DrainWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An hour of sample time is merged into hour blocks once it has been over for this long, so that samples a
    /// sender delivers a little late (remote-write retries, a queue catching up) usually make it into the first merge.
    /// Later ones land in new level-0 blocks and are merged again.
    /// </summary>
    public TimeSpan HourMergeGrace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A UTC day is merged into day blocks once it has been over for this long.</summary>
    public TimeSpan DayMergeGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the standalone server's background compactor looks for hours and days to merge and days past retention.</summary>
    public TimeSpan MergeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// In a bounded run (the Functions timer) the time merges of a shard may take after its flush; a merge cut short
    /// is safe (the next pass finishes it). <see cref="MaxRunDuration"/> plus this must stay within 8 minutes.
    /// </summary>
    public TimeSpan MaxMergeDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long the standalone server's local log keeps events after the compactor's checkpoint has
    /// passed them; older ones are truncated away (whole segment files freed) every minute. Queries
    /// read the log from checkpoints up to a few seconds old, so this must be well beyond that.
    /// </summary>
    public TimeSpan LocalLogKeep { get; set; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Consumer))
        {
            throw new InvalidOperationException($"{Section}:{nameof(Consumer)} must not be empty");
        }

        if (FlushInterval <= TimeSpan.Zero || FlushInterval > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException($"{Section}:{nameof(FlushInterval)} must be between 0 and 10 minutes (it is {FlushInterval})");
        }

        if (FlushBytes < 1024 * 1024)
        {
            throw new InvalidOperationException($"{Section}:{nameof(FlushBytes)} must be at least 1 MiB (it is {FlushBytes})");
        }

        if (MaxRunDuration <= TimeSpan.Zero || MaxRunDuration > TimeSpan.FromMinutes(8))
        {
            throw new InvalidOperationException($"{Section}:{nameof(MaxRunDuration)} must be between 0 and 8 minutes (it is {MaxRunDuration})");
        }

        if (HourMergeGrace < TimeSpan.Zero || HourMergeGrace > TimeSpan.FromDays(1))
        {
            throw new InvalidOperationException($"{Section}:{nameof(HourMergeGrace)} must be between 0 and 1 day (it is {HourMergeGrace})");
        }

        if (DayMergeGrace < TimeSpan.Zero || DayMergeGrace > TimeSpan.FromDays(7))
        {
            throw new InvalidOperationException($"{Section}:{nameof(DayMergeGrace)} must be between 0 and 7 days (it is {DayMergeGrace})");
        }

        if (MergeInterval <= TimeSpan.Zero || MergeInterval > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException($"{Section}:{nameof(MergeInterval)} must be between 0 and 1 hour (it is {MergeInterval})");
        }

        if (MaxMergeDuration <= TimeSpan.Zero || MaxRunDuration + MaxMergeDuration > TimeSpan.FromMinutes(8))
        {
            throw new InvalidOperationException($"{Section}:{nameof(MaxMergeDuration)} must be positive, and {nameof(MaxRunDuration)} + {nameof(MaxMergeDuration)} at most 8 minutes (they are {MaxRunDuration} and {MaxMergeDuration})");
        }

        if (DrainWait <= TimeSpan.Zero || DrainWait > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"{Section}:{nameof(DrainWait)} must be between 0 and 1 minute (it is {DrainWait})");
        }

        if (LocalLogKeep < TimeSpan.FromMinutes(1) || LocalLogKeep > TimeSpan.FromDays(30))
        {
            throw new InvalidOperationException($"{Section}:{nameof(LocalLogKeep)} must be between 1 minute and 30 days (it is {LocalLogKeep})");
        }

        if (ReadBatchSize is < 1 or > 10_000)
        {
            throw new InvalidOperationException($"{Section}:{nameof(ReadBatchSize)} must be between 1 and 10000 (it is {ReadBatchSize})");
        }
    }
}
