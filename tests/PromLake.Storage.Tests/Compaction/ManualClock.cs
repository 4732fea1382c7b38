namespace PromLake.Storage.Tests.Compaction;

/// <summary>A clock that shows what the test sets, so "the hour is over plus its grace" is decided by the test, not by waiting.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
