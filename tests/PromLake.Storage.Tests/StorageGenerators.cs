using CsCheck;
using Google.Protobuf;
using PromLake.Storage.Series;
using Histogram = PromLake.Protocol.WriteV2.Histogram;

namespace PromLake.Storage.Tests;

/// <summary>CsCheck generators of series as the compactor hands them to the block writer.</summary>
public static class StorageGenerators
{
    public const ulong StaleMarkerBits = 0x7ff0000000000002;

    // A small alphabet so that generated series collide: same-label entries must merge.
    public static readonly Gen<string> Name = Gen.String[Gen.Char["abc_xyzAZ"], 1, 6].Where(n => n != Label.MetricName);

    public static readonly Gen<string> Value = Gen.OneOf(
        Gen.String[Gen.Char["ab01"], 0, 3],
        Gen.String[Gen.Char, 0, 6].Where(s => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(s)) == s));

    /// <summary>Doubles with every special case Prometheus stores: NaN payloads, the stale marker, ±0, ±Inf, subnormals.</summary>
    public static readonly Gen<double> AnyDouble = Gen.OneOf(
        Gen.Double,
        Gen.ULong.Select(BitConverter.UInt64BitsToDouble),
        Gen.Const(BitConverter.UInt64BitsToDouble(StaleMarkerBits)),
        Gen.Const(BitConverter.UInt64BitsToDouble(0x7ff8000000000001)),
        Gen.Const(-0.0),
        Gen.Const(double.PositiveInfinity),
        Gen.Const(double.NegativeInfinity),
        Gen.Const(double.Epsilon));

    /// <summary>
    /// The values of one series that moves in steps: multiples of a common factor (4 KiB pages,
    /// MHz, odd factors) at a decimal scale, some of them interrupted by special values. The
    /// writer may divide its divisor by the factor, and may keep the series as doubles when
    /// that is smaller (series of 256 samples and more).
    /// </summary>
    public static readonly Gen<double[]> SteppedSeries =
        Gen.Select(
                Gen.OneOf(Gen.Const(1L), Gen.Const(3L), Gen.Const(1000L), Gen.Const(4096L), Gen.Const(1_000_000L), Gen.Const(12_345L), Gen.Const(1L << 40), Gen.Long[1, 1L << 20]),
                Gen.Int[0, 12],
                Gen.Long[-3_000_000, 3_000_000],
                Gen.OneOf(Gen.Long[-50, 50], Gen.Const(0L)).Array[1, 600],
                Gen.Select(Gen.Int[0, 599], AnyDouble).Array[0, 3])
            .Select(t =>
            {
                var (factor, scale, m, steps, specials) = t;
                var values = new double[steps.Length];
                for (var i = 0; i < steps.Length; i++)
                {
                    m += steps[i];
                    values[i] = (double)(m * factor) / Math.Pow(10, scale);
                }

                foreach (var (at, special) in specials)
                {
                    values[at % values.Length] = special;
                }

                return values;
            });

    /// <summary>Few distinct timestamps, so duplicates and disorder are common.</summary>
    public static readonly Gen<long> Timestamp = Gen.OneOf(Gen.Long[1_700_000_000_000, 1_700_000_000_010], Gen.Long);

    public static readonly Gen<Label[]> Labels =
        Gen.Select(Name.Array[0, 4], Value.Array[4], (names, values) =>
            names.Distinct().Order(StringComparer.Ordinal).Select((n, i) => new Label(n, values[i])).ToArray());

    public static readonly Gen<Sample> Samples =
        Gen.Select(Timestamp, AnyDouble, Gen.OneOf(Gen.Const(0L), Gen.Long)).Select(t => new Sample(t.Item1, t.Item2, t.Item3));

    public static readonly Gen<HistogramSample> Histograms =
        Gen.Select(Timestamp, Gen.Bool, Gen.ULong[0, 1000], AnyDouble, Gen.Long[-5, 5].Array[0, 4]).Select(t =>
        {
            var h = new Histogram { Sum = t.Item4, Schema = 3, ZeroThreshold = 1e-128, Timestamp = t.Item1 };
            if (t.Item2)
            {
                h.CountFloat = t.Item3 + 0.5;
            }
            else
            {
                h.CountInt = t.Item3;
            }

            if (t.Item5.Length > 0)
            {
                h.PositiveSpans.Add(new PromLake.Protocol.WriteV2.BucketSpan { Offset = 1, Length = (uint)t.Item5.Length });
                h.PositiveDeltas.AddRange(t.Item5);
            }

            return new HistogramSample(t.Item1, h.ToByteArray());
        });

    public static readonly Gen<Exemplar> Exemplars =
        Gen.Select(Timestamp, AnyDouble, Labels).Select(t => new Exemplar(t.Item1, t.Item2, t.Item3));

    public static readonly Gen<SeriesMetadata?> Metadata = Gen.OneOf(
        Gen.Const((SeriesMetadata?)null),
        Gen.Select(Gen.Int[0, 7], Value, Value).Select(t => (SeriesMetadata?)new SeriesMetadata((MetricType)t.Item1, t.Item2, t.Item3)));

    public static readonly Gen<StoredSeries> Series =
        Gen.Select(Gen.OneOf(Gen.Const(""), Gen.String[Gen.Char["mnop_"], 1, 4]), Labels, Samples.Array[0, 6], Histograms.Array[0, 2], Exemplars.Array[0, 2], Metadata)
            .Select(t =>
            {
                var labels = t.Item1.Length == 0 ? t.Item2 : [.. t.Item2, new Label(Label.MetricName, t.Item1)];
                var series = new StoredSeries(labels) { Metadata = t.Item6 };
                series.Samples.AddRange(t.Item3);
                series.Histograms.AddRange(t.Item4);
                series.Exemplars.AddRange(t.Item5);
                return series;
            });

    /// <summary>What a block must read back as: one series per label set, in block order, lists stably sorted by time.</summary>
    public static List<StoredSeries> Expected(IEnumerable<StoredSeries> input)
    {
        var expected = new List<StoredSeries>();
        foreach (var group in input.Select((s, i) => (s, i)).GroupBy(x => string.Join('\xff', x.s.Labels)))
        {
            var parts = group.OrderBy(x => x.i).Select(x => x.s).ToList();
            var merged = new StoredSeries(parts[0].Labels);
            merged.Samples.AddRange(parts.SelectMany(p => p.Samples).OrderBy(s => s.Timestamp));
            merged.Histograms.AddRange(parts.SelectMany(p => p.Histograms).OrderBy(h => h.Timestamp));
            merged.Exemplars.AddRange(parts.SelectMany(p => p.Exemplars).OrderBy(e => e.Timestamp));
            merged.Metadata = parts.Select(p => p.Metadata).LastOrDefault(m => m is not null);
            expected.Add(merged);
        }

        expected.Sort(SeriesOrder.Instance);
        return expected;
    }
}
