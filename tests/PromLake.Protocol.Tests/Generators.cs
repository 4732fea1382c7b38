using CsCheck;
using Google.Protobuf;
using PromLake.Protocol.Prompb;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Protocol.Tests;

/// <summary>CsCheck generators of remote-write messages, built with the Google.Protobuf classes as the reference encoder.</summary>
public static class Generators
{
    public static readonly Gen<string> Name = Gen.String[Gen.Char["abcdefgh_xyz"], 1, 12];

    public static readonly Gen<string> Value = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 0, 20],
        Gen.String[Gen.Char, 0, 8].Where(s => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(s)) == s));

    /// <summary>Any double bit pattern, so NaN payloads (stale markers) are covered.</summary>
    public static readonly Gen<double> AnyDouble = Gen.OneOf(
        Gen.Double,
        Gen.ULong.Select(BitConverter.UInt64BitsToDouble),
        Gen.Const(BitConverter.UInt64BitsToDouble(0x7ff0000000000002)));

    public static readonly Gen<long> Timestamp = Gen.OneOf(Gen.Long[0, 4_000_000_000_000], Gen.Long);

    public static readonly Gen<Label[]> Labels =
        Gen.Select(Name.Array[0, 6], Value.Array[6], (names, values) =>
            names.Distinct().Order(StringComparer.Ordinal).Select((n, i) => new Label { Name = n, Value = values[i] }).ToArray());

    public static readonly Gen<Histogram> NativeHistogram =
        Gen.Select(Gen.ULong[0, 1000], Gen.Double[0, 1e6], Gen.Int[-4, 8], Gen.Long[-5, 5].Array[0, 4], Timestamp)
            .Select(t =>
            {
                var h = new Histogram { CountInt = t.Item1, Sum = t.Item2, Schema = t.Item3, ZeroThreshold = 1e-128, ZeroCountInt = 1, Timestamp = t.Item5 };
                if (t.Item4.Length > 0)
                {
                    h.PositiveSpans.Add(new BucketSpan { Offset = 0, Length = (uint)t.Item4.Length });
                    h.PositiveDeltas.AddRange(t.Item4);
                }

                return h;
            });

    public static readonly Gen<TimeSeries> Series =
        Gen.Select(Labels, Gen.Select(AnyDouble, Timestamp).Array[0, 5], Gen.Select(Labels, AnyDouble, Timestamp).Array[0, 2], NativeHistogram.Array[0, 2])
            .Select(t =>
            {
                var ts = new TimeSeries();
                ts.Labels.Add(t.Item1);
                ts.Samples.Add(t.Item2.Select(s => new Sample { Value = s.Item1, Timestamp = s.Item2 }));
                ts.Exemplars.Add(t.Item3.Select(e => { var x = new Exemplar { Value = e.Item2, Timestamp = e.Item3 }; x.Labels.Add(e.Item1); return x; }));
                ts.Histograms.Add(t.Item4);
                return ts;
            });

    public static readonly Gen<MetricMetadata> Metadata =
        Gen.Select(Gen.Int[0, 7], Name, Value, Value).Select(t =>
            new MetricMetadata { Type = (MetricMetadata.Types.MetricType)t.Item1, MetricFamilyName = t.Item2, Help = t.Item3, Unit = t.Item4 });

    public static readonly Gen<WriteRequest> WriteRequestV1 =
        Gen.Select(Series.Array[0, 8], Metadata.Array[0, 3]).Select(t =>
        {
            var r = new WriteRequest();
            r.Timeseries.Add(t.Item1);
            r.Metadata.Add(t.Item2);
            return r;
        });

    /// <summary>A RW 2.0 request built from a RW 1.0 one by interning every string.</summary>
    public static readonly Gen<V2.Request> WriteRequestV2 =
        Gen.Select(WriteRequestV1, Gen.Long[0, 1_000_000].Array[8], Gen.Bool).Select(t => ToV2(t.Item1, t.Item2, t.Item3));

    public static V2.Request ToV2(WriteRequest v1, long[] startTimestamps, bool withMetadata)
    {
        var request = new V2.Request();
        var symbols = new Dictionary<string, uint> { [""] = 0 };
        request.Symbols.Add("");
        uint Ref(string s)
        {
            if (!symbols.TryGetValue(s, out var r))
            {
                r = (uint)request.Symbols.Count;
                symbols[s] = r;
                request.Symbols.Add(s);
            }

            return r;
        }

        for (var i = 0; i < v1.Timeseries.Count; i++)
        {
            var s = v1.Timeseries[i];
            var ts = new V2.TimeSeries();
            foreach (var l in s.Labels)
            {
                ts.LabelsRefs.Add(Ref(l.Name));
                ts.LabelsRefs.Add(Ref(l.Value));
            }

            // RW 2.0: a series carries samples or histograms, not both.
            if (s.Histograms.Count > 0)
            {
                ts.Histograms.Add(s.Histograms.Select(h => V2.Histogram.Parser.ParseFrom(h.ToByteArray())));
            }
            else
            {
                ts.Samples.Add(s.Samples.Select(x => new V2.Sample { Value = x.Value, Timestamp = x.Timestamp, StartTimestamp = startTimestamps[i % startTimestamps.Length] }));
            }

            foreach (var e in s.Exemplars)
            {
                var ex = new V2.Exemplar { Value = e.Value, Timestamp = e.Timestamp };
                foreach (var l in e.Labels)
                {
                    ex.LabelsRefs.Add(Ref(l.Name));
                    ex.LabelsRefs.Add(Ref(l.Value));
                }

                ts.Exemplars.Add(ex);
            }

            if (withMetadata)
            {
                ts.Metadata = new V2.Metadata { Type = V2.Metadata.Types.MetricType.Counter, HelpRef = Ref("help " + i), UnitRef = Ref("seconds") };
            }

            request.Timeseries.Add(ts);
        }

        return request;
    }
}
