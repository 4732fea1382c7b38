namespace PromLake.Query.Model;

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
/// A native histogram sample, as Prometheus's <c>histogram.FloatHistogram</c>. Carried through
/// storage and selectors now; arithmetic on it follows in a later slice of the engine.
/// </summary>
public sealed class FloatHistogram
{
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

    public List<double> CustomValues { get; set; } = [];

    public bool UsesCustomBuckets => Schema == -53;

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
        CustomValues = [.. CustomValues],
    };

    public override string ToString() =>
        $"{{{{schema:{Schema} count:{Count} sum:{Sum} z_bucket:{ZeroCount} buckets:[{string.Join(' ', PositiveBuckets)}] n_buckets:[{string.Join(' ', NegativeBuckets)}]}}}}";
}
