using System.Globalization;
using PromLake.Query.Model;
using PromLake.Query.Storage;

namespace PromLake.Query.Tests.PromQLTest;

internal static class ClassicHistogramConversion
{
    /// <summary>
    /// <c>load_with_nhcb</c>: classic histograms (<c>_bucket</c>, <c>_count</c>, <c>_sum</c>) are also loaded as
    /// native histograms with custom buckets under the base name, as upstream's convertnhcb does: the count
    /// defaults to the highest bucket's, and a missing +Inf bucket is added with the count.
    /// </summary>
    public static IEnumerable<(Labels Labels, List<StoredSample> Samples)> ToNativeHistograms(LoadCommand load)
    {
        var parts = new Dictionary<Labels, SortedDictionary<long, ClassicParts>>();
        foreach (var (metric, values) in load.Series)
        {
            var name = metric.MetricNameOrEmpty;
            string suffix;
            if (name.EndsWith("_bucket", StringComparison.Ordinal))
            {
                suffix = "_bucket";
            }
            else if (name.EndsWith("_count", StringComparison.Ordinal))
            {
                suffix = "_count";
            }
            else if (name.EndsWith("_sum", StringComparison.Ordinal))
            {
                suffix = "_sum";
            }
            else
            {
                continue;
            }

            double le = 0;
            if (suffix == "_bucket" && (!double.TryParse(metric.Get("le").Replace("+Inf", "Infinity", StringComparison.OrdinalIgnoreCase).Replace("+inf", "Infinity", StringComparison.OrdinalIgnoreCase), NumberStyles.Float, CultureInfo.InvariantCulture, out le) || double.IsNaN(le)))
            {
                continue;
            }

            var baseLabels = new LabelsBuilder(metric).Del("le").Set(Labels.MetricName, name[..^suffix.Length]).Build();
            if (!parts.TryGetValue(baseLabels, out var byTime))
            {
                byTime = [];
                parts[baseLabels] = byTime;
            }

            for (var i = 0; i < values.Count; i++)
            {
                var v = values[i];
                if (v.Omitted || v.Histogram is not null)
                {
                    continue;
                }

                var t = i * load.IntervalMs;
                if (!byTime.TryGetValue(t, out var entry))
                {
                    entry = new ClassicParts();
                    byTime[t] = entry;
                }

                switch (suffix)
                {
                    case "_bucket":
                        // A second bucket with the same bound (le="0.2" and le="2e-1") is ignored.
                        entry.Buckets.TryAdd(le, v.Value);
                        break;
                    case "_count":
                        entry.Count = v.Value;
                        break;
                    default:
                        entry.Sum = v.Value;
                        break;
                }
            }
        }

        foreach (var (labels, byTime) in parts)
        {
            var samples = new List<StoredSample>(byTime.Count);
            foreach (var (t, entry) in byTime)
            {
                samples.Add(new StoredSample(t, 0, entry.ToHistogram()));
            }

            yield return (labels, samples);
        }
    }

    /// <summary>The parts of one classic histogram at one time.</summary>
    private sealed class ClassicParts
    {
        public SortedDictionary<double, double> Buckets { get; } = [];

        public double? Count { get; set; }

        public double Sum { get; set; }

        public FloatHistogram ToHistogram()
        {
            var count = Count ?? (Buckets.Count > 0 ? Buckets.Values.Last() : 0);
            if (Buckets.Count == 0 || !double.IsPositiveInfinity(Buckets.Keys.Last()))
            {
                Buckets[double.PositiveInfinity] = count;
            }

            var h = new FloatHistogram { Schema = FloatHistogram.CustomBucketsSchema, Sum = Sum, Count = count };
            var custom = new List<double>();
            var previous = 0.0;
            var index = 0;
            var idx = new List<int>();
            foreach (var (le, cumulative) in Buckets)
            {
                if (!double.IsPositiveInfinity(le))
                {
                    custom.Add(le);
                }

                if (cumulative - previous != 0)
                {
                    h.PositiveBuckets.Add(cumulative - previous);
                    idx.Add(index);
                }

                previous = cumulative;
                index++;
            }

            h.CustomValues = custom;
            for (var i = 0; i < idx.Count; i++)
            {
                if (i > 0 && idx[i] == idx[i - 1] + 1)
                {
                    h.PositiveSpans[^1] = h.PositiveSpans[^1] with { Length = h.PositiveSpans[^1].Length + 1 };
                }
                else
                {
                    h.PositiveSpans.Add(new BucketSpan(i == 0 ? idx[i] : idx[i] - idx[i - 1] - 1, 1));
                }
            }

            return h;
        }
    }
}
