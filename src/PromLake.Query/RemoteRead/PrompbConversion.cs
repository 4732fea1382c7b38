using PromLake.Query.Model;
using Prompb = PromLake.Protocol.Prompb;

namespace PromLake.Query.RemoteRead;

/// <summary>Between the engine's model and the remote-read protobuf messages (prompb).</summary>
internal static class PrompbConversion
{
    /// <summary>FromLabelMatchers; an invalid regular expression throws <see cref="ArgumentException"/>.</summary>
    public static List<LabelMatcher> Matchers(IEnumerable<Prompb.LabelMatcher> matchers)
    {
        var result = new List<LabelMatcher>();
        foreach (var m in matchers)
        {
            var type = m.Type switch
            {
                Prompb.LabelMatcher.Types.Type.Eq => MatcherType.Equal,
                Prompb.LabelMatcher.Types.Type.Neq => MatcherType.NotEqual,
                Prompb.LabelMatcher.Types.Type.Re => MatcherType.Regexp,
                Prompb.LabelMatcher.Types.Type.Nre => MatcherType.NotRegexp,
                _ => throw new ArgumentException($"invalid matcher type {(int)m.Type}"),
            };
            result.Add(new LabelMatcher(type, m.Name, m.Value));
        }

        return result;
    }

    public static void AddLabels(Google.Protobuf.Collections.RepeatedField<Prompb.Label> target, Labels labels)
    {
        foreach (var l in labels.AsSpan())
        {
            target.Add(new Prompb.Label { Name = l.Name, Value = l.Value });
        }
    }

    /// <summary>prompb.FromFloatHistogram: counts as floats, buckets as absolute counts.</summary>
    public static Prompb.Histogram Histogram(long t, FloatHistogram h)
    {
        var pb = new Prompb.Histogram
        {
            CountFloat = h.Count,
            Sum = h.Sum,
            Schema = h.Schema,
            ZeroThreshold = h.ZeroThreshold,
            ZeroCountFloat = h.ZeroCount,
            ResetHint = h.CounterResetHint switch
            {
                CounterResetHint.CounterReset => Prompb.Histogram.Types.ResetHint.Yes,
                CounterResetHint.NotCounterReset => Prompb.Histogram.Types.ResetHint.No,
                CounterResetHint.Gauge => Prompb.Histogram.Types.ResetHint.Gauge,
                _ => Prompb.Histogram.Types.ResetHint.Unknown,
            },
            Timestamp = t,
        };
        foreach (var s in h.NegativeSpans)
        {
            pb.NegativeSpans.Add(new Prompb.BucketSpan { Offset = s.Offset, Length = (uint)s.Length });
        }

        pb.NegativeCounts.AddRange(h.NegativeBuckets);
        foreach (var s in h.PositiveSpans)
        {
            pb.PositiveSpans.Add(new Prompb.BucketSpan { Offset = s.Offset, Length = (uint)s.Length });
        }

        pb.PositiveCounts.AddRange(h.PositiveBuckets);
        pb.CustomValues.AddRange(h.CustomValues);
        return pb;
    }
}
