using PromLake.Query.Model;

namespace PromLake.Query.Http;

/// <summary>
/// Optional on an <see cref="Storage.ISeriesQuerier"/>: the exemplars of the series that match any of
/// the selectors, for <c>/api/v1/query_exemplars</c>. A store without exemplars does not implement
/// it, and the endpoint answers an empty list. Times are milliseconds, both ends inclusive.
/// </summary>
public interface IExemplarQuerier
{
    /// <summary>Per series that matches every matcher of at least one selector: its exemplars in the range, by time, without repeats.</summary>
    ValueTask<IReadOnlyList<SeriesExemplars>> ExemplarsAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> selectors, long minT, long maxT, CancellationToken cancellationToken = default);
}

/// <summary>One series' exemplars, as <c>/api/v1/query_exemplars</c> lists them.</summary>
public sealed record SeriesExemplars(Labels SeriesLabels, IReadOnlyList<ExemplarSample> Exemplars);

/// <summary>An exemplar: its own labels (a trace id, say), its value and its time in milliseconds.</summary>
public readonly record struct ExemplarSample(Labels Labels, double Value, long T);
