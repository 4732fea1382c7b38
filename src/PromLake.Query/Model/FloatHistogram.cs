using System.Globalization;
using System.Text;

namespace PromLake.Query.Model;

/// <summary>What a histogram sample says about a counter reset since the previous sample of its series.</summary>
public enum CounterResetHint
{
    Unknown,
    CounterReset,
    NotCounterReset,
    Gauge,
}

/// <summary>A span of consecutive buckets: <see cref="Offset"/> from the previous span's end, <see cref="Length"/> buckets.</summary>
public readonly record struct BucketSpan(int Offset, int Length);

/// <summary>
/// A native histogram sample, as Prometheus's <c>histogram.FloatHistogram</c>: absolute (not delta) bucket
/// counts laid out in spans. Exponential schemas -4…8 put boundaries at powers of 2^(2^-schema); schema -53
/// uses <see cref="CustomValues"/> as upper bounds (a "native histogram with custom buckets", NHCB), with no
/// zero bucket and no negative buckets.
/// </summary>
/// <remarks>
/// Instances flow through the engine by reference and may be shared with storage: the mutating methods
/// (<see cref="Mul"/>, <see cref="Add"/>, <see cref="Sub"/>, <see cref="Compact"/>…) must only be called on a
/// histogram the caller owns, usually one returned by <see cref="Copy"/>.
/// </remarks>
public sealed partial class FloatHistogram
{
    /// <summary>The schema of native histograms with custom bucket boundaries.</summary>
    public const int CustomBucketsSchema = -53;

    public int Schema { get; set; }

    public double ZeroThreshold { get; set; }

    public double ZeroCount { get; set; }

    public double Count { get; set; }

    public double Sum { get; set; }

    public CounterResetHint CounterResetHint { get; set; }

    public List<BucketSpan> PositiveSpans { get; set; } = [];

    public List<double> PositiveBuckets { get; set; } = [];

    public List<BucketSpan> NegativeSpans { get; set; } = [];

    public List<double> NegativeBuckets { get; set; } = [];

    /// <summary>The upper bounds of all but the last (+Inf) bucket, for schema -53. Treated as immutable and shared between copies.</summary>
    public List<double> CustomValues { get; set; } = [];

    public bool UsesCustomBuckets => Schema == CustomBucketsSchema;

    public FloatHistogram Copy() => new()
    {
        Schema = Schema,
        ZeroThreshold = ZeroThreshold,
        ZeroCount = ZeroCount,
        Count = Count,
        Sum = Sum,
        CounterResetHint = CounterResetHint,
        PositiveSpans = [.. PositiveSpans],
        PositiveBuckets = [.. PositiveBuckets],
        NegativeSpans = [.. NegativeSpans],
        NegativeBuckets = [.. NegativeBuckets],
        CustomValues = CustomValues,
    };

    /// <summary>True if any count or the sum is infinite: a running sum has overflowed.</summary>
    public bool HasOverflow()
    {
        if (double.IsInfinity(Count) || double.IsInfinity(Sum) || double.IsInfinity(ZeroCount))
        {
            return true;
        }

        foreach (var b in PositiveBuckets)
        {
            if (double.IsInfinity(b))
            {
                return true;
            }
        }

        foreach (var b in NegativeBuckets)
        {
            if (double.IsInfinity(b))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Exact data equality as Prometheus's Equals: same schema, zero bucket, custom bounds and the same buckets
    /// (empty ones included) with bit-identical counts. The counter reset hint is not compared.
    /// </summary>
    public bool DataEquals(FloatHistogram other)
    {
        if (Schema != other.Schema || !SameBits(Count, other.Count) || !SameBits(Sum, other.Sum))
        {
            return false;
        }

        if (UsesCustomBuckets && !CustomBoundsMatch(CustomValues, other.CustomValues))
        {
            return false;
        }

        if (ZeroThreshold != other.ZeroThreshold || !SameBits(ZeroCount, other.ZeroCount))
        {
            return false;
        }

        return IndexedBuckets.From(NegativeSpans, NegativeBuckets).BitEquals(IndexedBuckets.From(other.NegativeSpans, other.NegativeBuckets)) &&
               IndexedBuckets.From(PositiveSpans, PositiveBuckets).BitEquals(IndexedBuckets.From(other.PositiveSpans, other.PositiveBuckets));
    }

    private static bool SameBits(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    /// <summary>Prometheus's String(): <c>{count:20, sum:10, [-2,-1):2, [-0.001,0.001]:2, (0.5,1]:1}</c> (the form count_values uses).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("{count:").Append(G(Count)).Append(", sum:").Append(G(Sum));
        var negative = new List<HistogramBucket>();
        NegativeBucketList(negative);
        negative.Reverse();
        var buckets = new List<HistogramBucket>();
        buckets.AddRange(negative);
        if (ZeroCount != 0)
        {
            buckets.Add(ZeroBucket);
        }

        PositiveBucketList(buckets);
        foreach (var b in buckets)
        {
            if (b.Count == 0)
            {
                continue;
            }

            sb.Append(", ").Append(b.LowerInclusive ? '[' : '(').Append(G(b.Lower)).Append(',').Append(G(b.Upper))
                .Append(b.UpperInclusive ? ']' : ')').Append(':').Append(G(b.Count));
        }

        return sb.Append('}').ToString();
    }

    /// <summary>The notation of the test scripts: <c>{{schema:1 count:3 sum:2 buckets:[1 2]}}</c>, empty buckets dropped.</summary>
    public string TestExpression()
    {
        var parts = new List<string>();
        if (Schema != 0)
        {
            parts.Add("schema:" + Schema.ToString(CultureInfo.InvariantCulture));
        }

        void Add(string key, double v)
        {
            if (v != 0)
            {
                parts.Add(key + ":" + G(v));
            }
        }

        Add("count", Count);
        Add("sum", Sum);
        Add("z_bucket", ZeroCount);
        Add("z_bucket_w", ZeroThreshold);
        if (UsesCustomBuckets)
        {
            parts.Add("custom_values:[" + string.Join(' ', CustomValues.Select(G)) + "]");
        }

        switch (CounterResetHint)
        {
            case CounterResetHint.CounterReset:
                parts.Add("counter_reset_hint:reset");
                break;
            case CounterResetHint.NotCounterReset:
                parts.Add("counter_reset_hint:not_reset");
                break;
            case CounterResetHint.Gauge:
                parts.Add("counter_reset_hint:gauge");
                break;
        }

        AddSide(parts, "offset", "buckets", PositiveSpans, PositiveBuckets);
        AddSide(parts, "n_offset", "n_buckets", NegativeSpans, NegativeBuckets);
        return "{{" + string.Join(' ', parts) + "}}";
    }

    private static void AddSide(List<string> parts, string offsetKey, string bucketsKey, List<BucketSpan> spans, List<double> buckets)
    {
        var b = IndexedBuckets.From(spans, buckets).WithoutEmpty();
        if (b.Length == 0)
        {
            return;
        }

        if (b.Index[0] != 0)
        {
            parts.Add(offsetKey + ":" + b.Index[0].ToString(CultureInfo.InvariantCulture));
        }

        var values = new List<string>();
        for (var i = 0; i < b.Length; i++)
        {
            if (i > 0)
            {
                for (var gap = b.Index[i - 1] + 1; gap < b.Index[i]; gap++)
                {
                    values.Add("0");
                }
            }

            values.Add(G(b.Count[i]));
        }

        parts.Add(bucketsKey + ":[" + string.Join(' ', values) + "]");
    }

    /// <summary>Go's %g for the numbers the text forms show.</summary>
    internal static string G(double v) => double.IsPositiveInfinity(v) ? "+Inf" :
        double.IsNegativeInfinity(v) ? "-Inf" :
        double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);
}
