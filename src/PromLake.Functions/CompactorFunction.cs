using Microsoft.Azure.Functions.Worker;
using PromLake.Storage.Compaction;

namespace PromLake.Functions;

/// <summary>
/// The compactor on a timer: each run is one <see cref="CompactionPass"/> (take the free shards, compact each for at
/// most PromLake:Compactor:MaxRunDuration or until drained, flush, commit, release). Runs on several instances at once
/// split the shards between them through the shard leases.
/// </summary>
public sealed class CompactorFunction(CompactionPass pass)
{
    /// <summary>
    /// The schedule is the app setting <c>PromLake__Compactor__Schedule</c> (a six-field NCRONTAB expression, seconds
    /// first). It has no built-in fallback: the host refuses to load the function without it. Recommended and
    /// documented default: <see cref="DefaultSchedule"/>.
    /// </summary>
    public const string Schedule = "%PromLake:Compactor:Schedule%";

    /// <summary>Every 30 seconds.</summary>
    public const string DefaultSchedule = "*/30 * * * * *";

    [Function("Compactor")]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await pass.RunAsync(cancellationToken);
    }
}
