using PromLake.Storage.Series;

namespace PromLake.Storage.Dedup;

/// <summary>
/// HA pairs: two (or more) Prometheus replicas scrape the same targets and differ
/// only in a replica label. Their series are merged into one series without the
/// replica label that follows one replica and switches to another only where the
/// first has a gap, in the manner of Thanos's penalty deduplication: after taking
/// a sample at time t from one replica, another replica's samples count only if
/// they are later than t plus twice the step just taken (5 s before any step is
/// known), so interleaving two replicas never doubles the sample rate and clock
/// skew between them does not make the result jitter.
/// </summary>
public sealed class ReplicaDedup
{
    /// <summary>With no step known yet, timestamps are milliseconds and scrapes are seconds apart.</summary>
    private const long InitialPenalty = 5000;

    private readonly HashSet<string> _replicaLabels;

    public ReplicaDedup(IEnumerable<string> replicaLabels)
    {
        _replicaLabels = new HashSet<string>(replicaLabels, StringComparer.Ordinal);
    }

    /// <summary>The labels without the replica labels: the labels a merge stores the series under (the same array when it has none).</summary>
    public Label[] WithoutReplicaLabels(Label[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var label in labels)
        {
            if (_replicaLabels.Contains(label.Name))
            {
                return labels.Where(l => !_replicaLabels.Contains(l.Name)).ToArray();
            }
        }

        return labels;
    }

    public bool HasReplicaLabel(StoredSeries series)
    {
        foreach (var label in series.Labels)
        {
            if (_replicaLabels.Contains(label.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Groups series by their labels without replica labels and merges each group.
    /// Input series must already be free of exact repeats (see <see cref="RepeatDedup"/>).
    /// Series without a replica label pass through, merged with any replicas of
    /// themselves. The result is ordered as the input's first occurrence of each group; a
    /// series with neither replica labels nor replicas is the input's own instance.
    /// </summary>
    public List<StoredSeries> Apply(IReadOnlyList<StoredSeries> input)
    {
        var groups = new Dictionary<ulong, List<StoredSeries>>();
        var order = new List<(ulong Id, Label[] Labels)>();
        foreach (var series in input)
        {
            var labels = WithoutReplicaLabels(series.Labels);
            var id = SeriesId.Of(labels);
            if (!groups.TryGetValue(id, out var group))
            {
                groups[id] = group = [];
                order.Add((id, labels));
            }

            group.Add(series);
        }

        var result = new List<StoredSeries>(order.Count);
        foreach (var (id, labels) in order)
        {
            var group = groups[id];
            if (group.Count == 1 && ReferenceEquals(labels, group[0].Labels))
            {
                // No replica label and no replicas (most series): passed on as it is, not copied.
                result.Add(group[0]);
                continue;
            }

            var merged = new StoredSeries(labels);
            if (group.Count == 1)
            {
                merged.Samples.AddRange(group[0].Samples);
                merged.Histograms.AddRange(group[0].Histograms);
            }
            else
            {
                // Replicas are visited in a fixed order (by their full label set) so the
                // result does not depend on the order series arrived in.
                group.Sort(static (a, b) => CompareLabels(a.Labels, b.Labels));
                merged.Samples.AddRange(Merge(group.Select(s => s.Samples).ToList(), static s => s.Timestamp));
                merged.Histograms.AddRange(Merge(group.Select(s => s.Histograms).ToList(), static h => h.Timestamp));
            }

            foreach (var series in group)
            {
                merged.Exemplars.AddRange(series.Exemplars);
                merged.Metadata ??= series.Metadata;
            }

            result.Add(merged);
        }

        return result;
    }

    /// <summary>The penalty merge of several replicas' samples, each sorted by time without repeats.</summary>
    public static List<T> Merge<T>(IReadOnlyList<List<T>> replicas, Func<T, long> timeOf)
    {
        var output = new List<T>();
        var cursor = new int[replicas.Count];
        var penalty = new long[replicas.Count];
        var last = long.MinValue;
        while (true)
        {
            var chosen = -1;
            long chosenTime = 0;
            for (var r = 0; r < replicas.Count; r++)
            {
                // Skip this replica's samples up to the last output time plus its penalty.
                var samples = replicas[r];
                var floor = last == long.MinValue ? long.MinValue : SaturatingAdd(last, penalty[r]);
                while (cursor[r] < samples.Count && timeOf(samples[cursor[r]]) <= floor)
                {
                    cursor[r]++;
                }

                if (cursor[r] < samples.Count)
                {
                    var t = timeOf(samples[cursor[r]]);
                    if (chosen < 0 || t < chosenTime)
                    {
                        chosen = r;
                        chosenTime = t;
                    }
                }
            }

            if (chosen < 0)
            {
                return output;
            }

            for (var r = 0; r < replicas.Count; r++)
            {
                penalty[r] = r == chosen ? 0 : last == long.MinValue ? InitialPenalty : 2 * (chosenTime - last);
            }

            output.Add(replicas[chosen][cursor[chosen]]);
            cursor[chosen]++;
            last = chosenTime;
        }
    }

    private static long SaturatingAdd(long a, long b) => b > 0 && a > long.MaxValue - b ? long.MaxValue : a + b;

    private static int CompareLabels(Label[] a, Label[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var c = string.CompareOrdinal(a[i].Name, b[i].Name);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(a[i].Value, b[i].Value);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
