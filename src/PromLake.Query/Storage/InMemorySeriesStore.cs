using PromLake.Query.Http;
using PromLake.Query.Model;

namespace PromLake.Query.Storage;

/// <summary>A series store in memory: what the PromQL conformance tests load their data into.</summary>
public sealed class InMemorySeriesStore : ISeriesQuerier, IExemplarQuerier
{
    private readonly Dictionary<Labels, SortedList<long, StoredSample>> _series = [];
    private readonly Dictionary<Labels, List<ExemplarSample>> _exemplars = [];

    public int SeriesCount => _series.Count;

    /// <summary>Adds or replaces the sample at <paramref name="sample"/>.T for the series.</summary>
    public void Append(Labels labels, StoredSample sample)
    {
        if (!_series.TryGetValue(labels, out var samples))
        {
            samples = [];
            _series[labels] = samples;
        }

        samples[sample.T] = sample;
    }

    /// <summary>Adds an exemplar to the series (which need have no samples).</summary>
    public void AppendExemplar(Labels labels, ExemplarSample exemplar)
    {
        if (!_exemplars.TryGetValue(labels, out var list))
        {
            _exemplars[labels] = list = [];
        }

        list.Add(exemplar);
    }

    public void Clear()
    {
        _series.Clear();
        _exemplars.Clear();
    }

    public ValueTask<IReadOnlyList<SeriesExemplars>> ExemplarsAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> selectors, long minT, long maxT, CancellationToken cancellationToken = default)
    {
        var result = new List<SeriesExemplars>();
        foreach (var (labels, exemplars) in _exemplars)
        {
            if (!selectors.Any(matchers => AllMatch(matchers, labels)))
            {
                continue;
            }

            var picked = exemplars.Where(e => e.T >= minT && e.T <= maxT).OrderBy(e => e.T).ToList();
            if (picked.Count > 0)
            {
                result.Add(new SeriesExemplars(labels, picked));
            }
        }

        result.Sort(static (a, b) => a.SeriesLabels.CompareTo(b.SeriesLabels));
        return ValueTask.FromResult<IReadOnlyList<SeriesExemplars>>(result);
    }

    public ValueTask<IReadOnlyList<StoredSeries>> SelectAsync(SelectRequest request, CancellationToken cancellationToken = default)
    {
        var result = new List<StoredSeries>();
        foreach (var (labels, samples) in _series)
        {
            if (!AllMatch(request.Matchers, labels))
            {
                continue;
            }

            var picked = new List<StoredSample>();
            foreach (var s in samples.Values)
            {
                if (s.T >= request.MinT && s.T <= request.MaxT)
                {
                    picked.Add(s);
                }
            }

            result.Add(new StoredSeries(labels, picked));
        }

        result.Sort(static (a, b) => a.Labels.CompareTo(b.Labels));
        return ValueTask.FromResult<IReadOnlyList<StoredSeries>>(result);
    }

    private static bool AllMatch(IReadOnlyList<LabelMatcher> matchers, Labels labels)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }
}
