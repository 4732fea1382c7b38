using PromLake.Query.Model;

namespace PromLake.Query.Storage;

/// <summary>A series store in memory: what the PromQL conformance tests load their data into.</summary>
public sealed class InMemorySeriesStore : ISeriesQuerier
{
    private readonly Dictionary<Labels, SortedList<long, StoredSample>> _series = [];

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

    public void Clear() => _series.Clear();

    public ValueTask<IReadOnlyList<StoredSeries>> SelectAsync(SelectRequest request, CancellationToken cancellationToken = default)
    {
        var result = new List<StoredSeries>();
        foreach (var (labels, samples) in _series)
        {
            var match = true;
            foreach (var m in request.Matchers)
            {
                if (!m.Matches(labels))
                {
                    match = false;
                    break;
                }
            }

            if (!match)
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
}
