using PromLake.Storage.Series;

namespace PromLake.Storage.Dedup;

/// <summary>
/// Exact repeats: one sample per (series, timestamp). Sender retries resend the
/// same samples, and a send whose acknowledgement was lost is stored twice in the
/// log. When two samples of a series share a timestamp but differ in value (a
/// misbehaving sender), the one written to the log LAST wins: callers pass
/// samples in log order (within a level-0 flush, the order read; in a merge, the
/// blobs in the order of their first log position), which makes the rule
/// deterministic however often the work is repeated.
/// </summary>
public static class RepeatDedup
{
    /// <summary>Sorts by timestamp, keeping the last-written of equal timestamps. Stable for the rest.</summary>
    public static void Apply(List<Sample> samples)
    {
        if (samples.Count < 2)
        {
            return;
        }

        if (IsStrictlyIncreasing(samples))
        {
            return;
        }

        // Sort by (timestamp, arrival index) so that among equal timestamps the
        // last-arrived sample is last, then keep the last of each run.
        var indexed = new (Sample Sample, int Arrival)[samples.Count];
        for (var i = 0; i < indexed.Length; i++)
        {
            indexed[i] = (samples[i], i);
        }

        Array.Sort(indexed, static (a, b) =>
        {
            var byTime = a.Sample.Timestamp.CompareTo(b.Sample.Timestamp);
            return byTime != 0 ? byTime : a.Arrival.CompareTo(b.Arrival);
        });
        samples.Clear();
        for (var i = 0; i < indexed.Length; i++)
        {
            if (i + 1 < indexed.Length && indexed[i + 1].Sample.Timestamp == indexed[i].Sample.Timestamp)
            {
                continue;
            }

            samples.Add(indexed[i].Sample);
        }
    }

    /// <summary>The same rule for native histograms.</summary>
    public static void Apply(List<HistogramSample> histograms)
    {
        if (histograms.Count < 2)
        {
            return;
        }

        var indexed = new (HistogramSample Sample, int Arrival)[histograms.Count];
        for (var i = 0; i < indexed.Length; i++)
        {
            indexed[i] = (histograms[i], i);
        }

        Array.Sort(indexed, static (a, b) =>
        {
            var byTime = a.Sample.Timestamp.CompareTo(b.Sample.Timestamp);
            return byTime != 0 ? byTime : a.Arrival.CompareTo(b.Arrival);
        });
        histograms.Clear();
        for (var i = 0; i < indexed.Length; i++)
        {
            if (i + 1 < indexed.Length && indexed[i + 1].Sample.Timestamp == indexed[i].Sample.Timestamp)
            {
                continue;
            }

            histograms.Add(indexed[i].Sample);
        }
    }

    private static bool IsStrictlyIncreasing(List<Sample> samples)
    {
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].Timestamp <= samples[i - 1].Timestamp)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Exemplars: repeats of one (timestamp, value bit for bit, labels) dropped, as Prometheus's
    /// exemplar storage drops a duplicate; the rest sorted by timestamp, stable. Distinct
    /// exemplars of one timestamp all stay (an exemplar is not a sample of the series).
    /// </summary>
    public static void Apply(List<Exemplar> exemplars)
    {
        if (exemplars.Count < 2)
        {
            return;
        }

        var sorted = exemplars.OrderBy(e => e.Timestamp).ToList(); // OrderBy is stable
        exemplars.Clear();
        for (var i = 0; i < sorted.Count; i++)
        {
            var repeat = false;
            for (var j = i - 1; j >= 0 && sorted[j].Timestamp == sorted[i].Timestamp && !repeat; j--)
            {
                repeat = SameExemplar(sorted[i], sorted[j]);
            }

            if (!repeat)
            {
                exemplars.Add(sorted[i]);
            }
        }
    }

    private static bool SameExemplar(Exemplar a, Exemplar b) =>
        BitConverter.DoubleToUInt64Bits(a.Value) == BitConverter.DoubleToUInt64Bits(b.Value) && a.Labels.AsSpan().SequenceEqual(b.Labels);
}
