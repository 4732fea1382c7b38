using PromLake.Query.Model;

namespace PromLake.Query.Storage;

/// <summary>One stored sample: a float, or a native histogram when <see cref="H"/> is set.</summary>
public readonly record struct StoredSample(long T, double F, FloatHistogram? H = null);

/// <summary>A series as storage returns it: its labels and its samples in time order, no duplicate timestamps.</summary>
public sealed record StoredSeries(Labels Labels, IReadOnlyList<StoredSample> Samples);

/// <summary>What the engine asks for: series matching every matcher, with samples in [<see cref="MinT"/>, <see cref="MaxT"/>] (ms).</summary>
public sealed record SelectRequest(IReadOnlyList<LabelMatcher> Matchers, long MinT, long MaxT);

/// <summary>
/// The storage port the PromQL engine reads through. The Parquet store and the in-memory
/// store used by tests implement it. Staleness markers are returned as stored (the NaN with
/// bits 0x7ff0000000000002); the engine interprets them.
/// </summary>
public interface ISeriesQuerier
{
    ValueTask<IReadOnlyList<StoredSeries>> SelectAsync(SelectRequest request, CancellationToken cancellationToken = default);
}
