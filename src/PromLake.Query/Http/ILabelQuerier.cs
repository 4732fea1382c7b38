using PromLake.Query.Model;
using PromLake.Query.Storage;

namespace PromLake.Query.Http;

/// <summary>
/// Optional on an <see cref="ISeriesQuerier"/>: series and label lookups that need no samples (the
/// <c>/series</c>, <c>/labels</c> and <c>/label/…/values</c> endpoints). A store that can answer them from
/// its index implements it; otherwise <see cref="SelectLabelQuerier"/> answers them through
/// <see cref="ISeriesQuerier.SelectAsync"/>. Times are milliseconds, both ends inclusive; an empty
/// matcher list means every series.
/// </summary>
public interface ILabelQuerier
{
    /// <summary>The label sets of the series matching every matcher with a sample in the range, in any order.</summary>
    ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default);

    /// <summary>The label names of those series, in any order, without repeats.</summary>
    ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default);

    /// <summary>The values of label <paramref name="name"/> on those series, in any order, without repeats.</summary>
    ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default);
}

/// <summary>Answers label lookups by selecting series (samples included) from any <see cref="ISeriesQuerier"/>.</summary>
public sealed class SelectLabelQuerier(ISeriesQuerier querier) : ILabelQuerier
{
    /// <summary>Matches every series, named or not.</summary>
    private static readonly LabelMatcher Everything = new(MatcherType.Regexp, Labels.MetricName, ".*");

    /// <summary>The querier's own implementation when it has one, this fallback otherwise.</summary>
    public static ILabelQuerier For(ISeriesQuerier querier) => querier as ILabelQuerier ?? new SelectLabelQuerier(querier);

    public async ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default)
    {
        var selected = await SelectAsync(matchers, minT, maxT, cancellationToken).ConfigureAwait(false);
        var result = new List<Labels>(selected.Count);
        foreach (var s in selected)
        {
            result.Add(s.Labels);
        }

        return result;
    }

    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in await SelectAsync(matchers, minT, maxT, cancellationToken).ConfigureAwait(false))
        {
            foreach (var l in s.Labels.AsSpan())
            {
                names.Add(l.Name);
            }
        }

        return [.. names];
    }

    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in await SelectAsync(matchers, minT, maxT, cancellationToken).ConfigureAwait(false))
        {
            var v = s.Labels.Get(name);
            if (v.Length > 0)
            {
                values.Add(v);
            }
        }

        return [.. values];
    }

    /// <summary>Series with at least one sample in the range: a series is "in" a time range only if it has data there.</summary>
    private async ValueTask<List<StoredSeries>> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken ct)
    {
        var request = new SelectRequest(matchers.Count == 0 ? [Everything] : matchers, minT, maxT);
        var selected = await querier.SelectAsync(request, ct).ConfigureAwait(false);
        var result = new List<StoredSeries>(selected.Count);
        foreach (var s in selected)
        {
            if (s.Samples.Count > 0)
            {
                result.Add(s);
            }
        }

        return result;
    }
}
